using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

/// <summary>
/// Issue 18, point 1: one push of 500,000 rows as CSV (a job), the API's resident memory (VmRSS) sampled every 100 ms from the
/// POST until the job has finished. Prints the peak, the time to the 202 and to the job's end.
/// </summary>
internal static class BigJob
{
    public static async Task RunAsync(string dll, int rows)
    {
        await using var host = await BenchHost.StartAsync(dll);
        var key = await host.PartnershipAsync("big", 28);
        var csv = new StringBuilder("indicator,period,area,value\n", rows * 40);
        for (var n = 0; n < rows; n++)
            csv.Append(CultureInfo.InvariantCulture, $"IND-{n % 28},{BenchHost.Period(n / 28 % 24)},E05{n / 672:D6},{n % 997}.5\n");
        var body = Encoding.UTF8.GetBytes(csv.ToString());
        csv.Clear();
        long peak = 0, start = Rss(host.Pid);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Rss(host.Pid));
                await Task.Delay(100);
            }
        });
        var clock = Stopwatch.StartNew();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/partnerships/big/observations") { Content = content };
        request.Headers.Add("X-Api-Key", key);
        using var response = await host.Http.SendAsync(request);
        var accepted = clock.Elapsed;
        if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        JsonNode job;
        do
        {
            await Task.Delay(250);
            using var get = new HttpRequestMessage(HttpMethod.Get, response.Headers.Location);
            get.Headers.Add("X-Api-Key", key);
            job = JsonNode.Parse(await (await host.Http.SendAsync(get)).Content.ReadAsStringAsync())!;
        } while (job["state"]!.GetValue<string>() is "queued" or "running" && clock.Elapsed < TimeSpan.FromMinutes(4));
        await sampling.CancelAsync();
        await sampler;
        Console.WriteLine();
        Console.WriteLine($"Big job — {rows:N0} rows of CSV ({body.Length / 1048576.0:N1} MB), SQLite file, 2 cores, load {BenchHost.Load()}");
        Console.WriteLine($"  202 after {accepted.TotalSeconds:N1} s; job '{job["state"]}' after {clock.Elapsed.TotalSeconds:N1} s: {job["result"]?.ToJsonString()}");
        Console.WriteLine($"  API resident memory: {start / 1024:N0} MB before, peak {peak / 1024:N0} MB (target < 400 MB)");
    }

    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return 0;
    }
}
