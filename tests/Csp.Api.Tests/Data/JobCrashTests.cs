using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Data;

/// <summary>The real service killed (SIGKILL) in the middle of a push job, then started again on the same file.</summary>
public sealed class JobCrashTests : IDisposable
{
    private const string Police = "csp_demopolice_southwark-demo-met-feed-key-not-secret";
    private readonly ServiceFolder folder = new("csp-job-crash");


    [Fact]
    public async Task A_job_killed_between_chunks_resumes_after_restart_and_applies_every_row_exactly_once()
    {
        var codes = new[] { "ROB-PERSONAL", "THEFT-PERSON", "VAWG-OFFENCES", "ASB-CALLS" };
        var rows = codes.SelectMany(code => Enumerable.Range(0, 1_250).Select(m => new
        {
            indicator = code, period = $"{1900 + m / 12:D4}-{m % 12 + 1:D2}", area = "E09000028", value = 100 + m % 50, status = "final",
        })).ToList();
        (string, string)[] settings = [("Jobs__ChunkRows", "100"), ("Jobs__Lease", "00:00:02"), ("Jobs__Poll", "00:00:01")];
        string jobId;
        long doneAtKill, storedAtKill;

        await using (var service = await LiveService.StartAsync(folder: folder.Path, settings: settings))
        {
            using var http = new HttpClient { BaseAddress = service.BaseAddress };
            var request = new HttpRequestMessage(HttpMethod.Post, "/v1/partnerships/southwark/observations")
            {
                Content = JsonContent.Create(new { observations = rows }),
            };
            request.Headers.Add("X-Api-Key", Police);
            request.Headers.Add("Prefer", "respond-async");
            var accepted = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            jobId = JsonNode.Parse(await accepted.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (folder.Scalar("SELECT chunks_done FROM jobs") < 3 && DateTime.UtcNow < deadline) await Task.Delay(1);
            await service.KillAsync();
            doneAtKill = folder.Scalar("SELECT chunks_done FROM jobs");
            storedAtKill = folder.Scalar("SELECT COUNT(*) FROM observations WHERE period < '2005'");
        }
        // Killed part way: what the job's progress says was applied is exactly what is stored.
        Assert.InRange(doneAtKill, 3, 49);
        Assert.Equal(doneAtKill * 100, storedAtKill);
        Assert.Equal("running", folder.Text("SELECT state FROM jobs"));

        await using (var again = await LiveService.StartAsync(folder: folder.Path, settings: settings))
        {
            using var http = new HttpClient { BaseAddress = again.BaseAddress };
            http.DefaultRequestHeaders.Add("X-Api-Key", Police);
            JsonNode job;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            do
            {
                await Task.Delay(100);
                job = JsonNode.Parse(await http.GetStringAsync($"/v1/partnerships/southwark/jobs/{jobId}"))!;
            } while (job["state"]!.GetValue<string>() is "queued" or "running" && DateTime.UtcNow < deadline);

            Assert.Equal("succeeded", job["state"]!.GetValue<string>());
            // Every row created once: a chunk applied twice would count its rows unchanged the second time.
            Assert.Equal((rows.Count, 0, 0), (job["result"]!["created"]!.GetValue<int>(), job["result"]!["unchanged"]!.GetValue<int>(),
                job["result"]!["rejected"]!.GetValue<int>()));
        }
        Assert.Equal(rows.Count, folder.Scalar("SELECT COUNT(*) FROM observations WHERE period < '2005'"));
        Assert.Equal(0, folder.Scalar("SELECT COUNT(*) FROM observation_revisions WHERE period < '2005'"));
        Assert.Equal(2, folder.Scalar("SELECT attempts FROM jobs"));
    }


    public void Dispose() => folder.Dispose();
}
