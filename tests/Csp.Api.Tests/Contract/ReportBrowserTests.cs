using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Csp.Api.Demo;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Csp.Api.Tests.Contract;

/// <summary>
/// Issue 20, point 4: the demo plan's committee report as people see it. The HTML page in a real browser (Debian's Chromium
/// driven by Playwright, as the Swagger UI test does), with a screenshot and a print to PDF under TestResults/; the Word file
/// opened and converted to PDF by LibreOffice headless (Debian's libreoffice-writer-nogui). Both against the real service on
/// Kestrel with the Southwark demo.
/// </summary>
public sealed class ReportBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly string[] SofficePaths = ["/usr/bin/soffice", "/usr/bin/libreoffice", "/usr/lib/libreoffice/program/soffice"];

    private static async Task<(Guid PlanId, string Path)> DemoReportAsync(LiveService service)
    {
        using var http = new HttpClient { BaseAddress = service.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", DemoKeys.Reader);
        var plan = JsonNode.Parse(await http.GetStringAsync("/v1/partnerships/southwark/plans/current"))!.AsObject();
        var id = plan["id"]!.GetValue<Guid>();
        return (id, $"/v1/partnerships/southwark/plans/{id}/report");
    }

    [SkippableFact]
    public async Task The_demo_report_renders_in_a_browser_with_its_charts_and_prints()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is missing: `apt-get install -y chromium` (.ci/run does) to run the report browser test.");

        await using var service = await LiveService.StartAsync();
        var (_, path) = await DemoReportAsync(service);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1100, Height = 1400 },
            ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Api-Key"] = DemoKeys.Reader },
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type is "error" or "warning") problems.Add(m.Text); };
        page.RequestFailed += (_, r) => problems.Add("request failed: " + r.Url);
        var requests = new List<string>();
        page.Request += (_, r) => requests.Add(r.Url);

        var response = await page.GotoAsync(new Uri(service.BaseAddress, path).ToString());

        Assert.Equal((int)HttpStatusCode.OK, response!.Status);
        var screenshot = Repo.PathOf("TestResults", "report.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.Contains("Southwark Community Safety Partnership Plan", await page.Locator("h1").InnerTextAsync());
        var charts = page.Locator("figure.chart svg[role='img']");
        Assert.Equal(8, await charts.CountAsync()); // one per demo indicator
        for (var i = 0; i < 8; i++)
        {
            var box = await charts.Nth(i).BoundingBoxAsync();
            Assert.True(box is { Width: > 300, Height: > 100 }, $"chart {i} is not drawn: {box?.Width}×{box?.Height}");
            Assert.True(await charts.Nth(i).Locator("polyline, path").CountAsync() > 0, $"chart {i} has no lines");
        }
        Assert.Equal(7, await page.Locator("main section h2").CountAsync()); // six sections and what changed
        Assert.Contains("What changed from Southwark Community Safety Partnership Plan", await page.Locator("#h-changes").InnerTextAsync());
        Assert.True(await page.Locator("table th[scope='col']").CountAsync() > 10);
        // Self-contained: the page fetched nothing but itself.
        Assert.Equal([new Uri(service.BaseAddress, path).ToString()], requests);
        Assert.Empty(problems);

        Assert.True(new FileInfo(screenshot).Length > 50_000);
        // As a committee clerk prints it (A4, the print styles).
        var pdf = Repo.PathOf("TestResults", "report.pdf");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await page.PdfAsync(new PagePdfOptions { Path = pdf, Format = "A4", PrintBackground = true });
        Assert.True(new FileInfo(pdf).Length > 10_000);
        Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(pdf), 0, 4));
    }

    [SkippableFact]
    public async Task The_demo_reports_Word_file_opens_in_LibreOffice_and_converts_to_PDF()
    {
        var soffice = SofficePaths.FirstOrDefault(File.Exists);
        Skip.If(soffice is null, "LibreOffice is missing: `apt-get install -y libreoffice-writer-nogui` (.ci/run does) to run the Word → PDF check.");

        await using var service = await LiveService.StartAsync();
        var (_, path) = await DemoReportAsync(service);
        using var http = new HttpClient { BaseAddress = service.BaseAddress };
        http.DefaultRequestHeaders.Add("X-Api-Key", DemoKeys.Reader);
        var docx = await http.GetByteArrayAsync(path + "?format=docx");
        var folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "csp-report-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var input = Path.Combine(folder, "report.docx");
            await File.WriteAllBytesAsync(input, docx);
            var start = new ProcessStartInfo(soffice!)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // A profile of its own, so a LibreOffice the machine's user has open (or a stale lock) does not interfere.
            foreach (var arg in new[] { $"-env:UserInstallation=file://{folder}/profile", "--headless", "--norestore", "--convert-to", "pdf", "--outdir", folder, input })
                start.ArgumentList.Add(arg);
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            var output = Path.Combine(folder, "report.pdf");
            Assert.True(process.ExitCode == 0 && File.Exists(output), $"soffice exited {process.ExitCode}: {await stdout} {await stderr}");
            var bytes = await File.ReadAllBytesAsync(output);
            Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4));
            Assert.True(bytes.Length > 10_000, $"the PDF is only {bytes.Length} bytes");
            Directory.CreateDirectory(Repo.PathOf("TestResults"));
            File.Copy(output, Repo.PathOf("TestResults", "report-word.pdf"), overwrite: true);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
