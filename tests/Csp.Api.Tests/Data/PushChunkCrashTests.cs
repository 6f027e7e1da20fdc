using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Csp.Api.Tests.Infrastructure;

namespace Csp.Api.Tests.Data;

/// <summary>The real service killed (SIGKILL) in the middle of a synchronous push that commits in chunks, then started again on the
/// same file: whole chunks are kept, never part of one, and the same push sent again completes it without writing a row twice.</summary>
public sealed class PushChunkCrashTests : IDisposable
{
    private const string Police = "csp_demopolice_southwark-demo-met-feed-key-not-secret";
    private const string Admin = "csp_demoadmin_southwark-demo-admin-key-not-secret";
    private readonly ServiceFolder folder = new("csp-push-crash");


    private static HttpRequestMessage Push(object rows)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/partnerships/southwark/observations") { Content = JsonContent.Create(rows) };
        request.Headers.Add("X-Api-Key", Police);
        return request;
    }

    [Fact]
    public async Task A_push_killed_between_chunks_keeps_whole_chunks_and_sent_again_writes_the_rest_once()
    {
        // 8,400 rows of the Met's six monthly indicators for the borough, from 1900 to 2016 (demo data starts in 2018; the
        // partnership's area check is turned off, as the borough's code dates from 1965), all valid, in chunks of 100 rows (84
        // commits: time to kill the service part way).
        var codes = new[] { "ROB-PERSONAL", "THEFT-PERSON", "VAWG-OFFENCES", "KNIFE-INJURY", "CONFIDENCE", "ASB-CALLS" };
        var body = new
        {
            observations = codes.SelectMany(code => Enumerable.Range(0, 1_400).Select(m => new
            {
                indicator = code, period = $"{1900 + m / 12:D4}-{m % 12 + 1:D2}", area = "E09000028", value = 10 + m % 50,
            })).ToList(),
        };
        const int Rows = 8_400;
        const string Stored = "SELECT COUNT(*) FROM observations WHERE period < '2017'";
        long storedAtKill;
        (string, string)[] settings = [("Observations__WriteChunkRows", "100")];

        await using (var service = await LiveService.StartAsync(folder: folder.Path, settings: settings))
        {
            using var http = new HttpClient { BaseAddress = service.BaseAddress };
            var areaCheckOff = new HttpRequestMessage(HttpMethod.Put, "/v1/partnerships/southwark")
            {
                Content = JsonContent.Create(new { name = "Southwark Community Safety Partnership", areaCode = "E09000028", publicRead = true, areaCheck = "off" }),
            };
            areaCheckOff.Headers.Add("X-Api-Key", Admin);
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(areaCheckOff)).StatusCode);
            var push = http.SendAsync(Push(body));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (folder.Scalar(Stored) < 1_000 && !push.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(1);
            await service.KillAsync();
            storedAtKill = folder.Scalar(Stored);
        }
        // Killed part way: only whole chunks of 100 rows are there.
        Assert.InRange(storedAtKill, 1_000, Rows - 100);
        Assert.Equal(0, storedAtKill % 100);

        await using (var again = await LiveService.StartAsync(folder: folder.Path, settings: settings))
        {
            using var http = new HttpClient { BaseAddress = again.BaseAddress };
            var response = await http.SendAsync(Push(body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            // The rows kept come back unchanged; the rest are created, once.
            Assert.Equal(("ok", Rows - storedAtKill, storedAtKill, 0L), (result["status"]!.GetValue<string>(), result["created"]!.GetValue<long>(),
                result["unchanged"]!.GetValue<long>(), result["updated"]!.GetValue<long>()));
        }
        Assert.Equal(Rows, folder.Scalar(Stored));
        Assert.Equal(0, folder.Scalar("SELECT COUNT(*) FROM observation_revisions WHERE period < '2017'"));
    }

    public void Dispose() => folder.Dispose();
}
