namespace Csp.Api.Health;

/// <summary>
/// <c>probe URL</c>: GETs the URL and exits 0 on 200, 1 otherwise — the container's HEALTHCHECK, which the runtime image
/// cannot run with curl (it has none). Runs before the web host is built, so a check costs a process start and one request.
/// </summary>
public static class ProbeCommand
{
    public static async Task<int?> RunAsync(string[] args)
    {
        if (args is not ["probe", var url, ..]) return null;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(url);
            Console.WriteLine($"{url}: {(int)response.StatusCode}");
            return response.StatusCode == System.Net.HttpStatusCode.OK ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException or InvalidOperationException)
        {
            Console.WriteLine($"{url}: {e.Message}");
            return 1;
        }
    }
}
