using Csp.Api.Demo;
using Csp.Api.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Csp.Api.Tests.Contract;

/// <summary>
/// A partner developer's first contact: Swagger UI in a real browser (Debian's Chromium driven by
/// Playwright, never a downloaded browser) against the real service on Kestrel.
/// </summary>
public sealed class SwaggerUiBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [SkippableFact]
    public async Task A_reader_authorises_tries_the_current_plan_and_sees_it()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is missing: `apt-get install -y chromium` (.ci/run does) to run the Swagger UI browser test.");

        await using var service = await LiveService.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            // As root, offline: no sandbox, no calls home.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"],
        });
        // One context for the reader's pages, so a second page sees what the first one stored.
        await using var reader = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1800 } });
        var page = await reader.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        // Expect's own 5 s default is shorter than a cold service on a busy 2-core machine needs to answer "Try it out".
        Assertions.SetDefaultExpectTimeout(30_000);
        var screenshot = Repo.PathOf("TestResults", "swagger.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);

        var swagger = new Uri(service.BaseAddress, "/swagger/index.html").ToString();
        try
        {
            await page.GotoAsync(swagger);

            await page.Locator("button.authorize").First.ClickAsync();
            var dialog = page.Locator(".modal-ux");
            // The dialog says where keys come from (the key scheme's description).
            await Assertions.Expect(dialog).ToContainTextAsync("POST /v1/partnerships/{partnership}/clients");
            await Assertions.Expect(dialog).ToContainTextAsync("demo keys listed in the README");
            await dialog.Locator("input").First.FillAsync(DemoKeys.Reader);
            await dialog.Locator("button.authorize").ClickAsync();
            await dialog.Locator("button.btn-done").ClickAsync();

            var operation = page.Locator("#operations-Plans-getCurrentPlan");
            await operation.Locator(".opblock-summary").First.ClickAsync();
            // Deep linking: the address now names the operation.
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#/Plans/getCurrentPlan$"));
            var tryItOut = operation.Locator("button.try-out__btn");
            if (await tryItOut.CountAsync() > 0 && (await tryItOut.InnerTextAsync()).Contains("Try it out", StringComparison.Ordinal))
                await tryItOut.ClickAsync();
            await operation.Locator("input[placeholder='partnership']").FillAsync("southwark");
            await operation.Locator("button.execute").ClickAsync();

            var live = operation.Locator(".live-responses-table");
            await Assertions.Expect(live.Locator("tbody .response-col_status").First).ToHaveTextAsync("200");
            await Assertions.Expect(live.Locator("tbody .response-col_description").First).ToContainTextAsync("Southwark Community Safety Partnership Plan");

            // A link to the operation opens it; in Development the key is remembered for the next page; the filter box keeps
            // the tags it names.
            var linked = await reader.NewPageAsync();
            await linked.GotoAsync(swagger + "#/Plans/getCurrentPlan");
            await Assertions.Expect(linked.Locator("#operations-Plans-getCurrentPlan.is-open")).ToBeVisibleAsync();
            await Assertions.Expect(linked.Locator("button.authorize.locked").First).ToBeVisibleAsync();
            await linked.Locator("input.operation-filter-input").FillAsync("Health");
            await Assertions.Expect(linked.Locator("#operations-Plans-getCurrentPlan")).ToHaveCountAsync(0);
            await Assertions.Expect(linked.Locator("#operations-Health-getReadiness")).ToHaveCountAsync(1);

            // Another site cannot frame it: the frame shows the browser's refusal, not Swagger UI.
            var framer = await browser.NewPageAsync();
            await framer.SetContentAsync($"<iframe src=\"{swagger}\" width=\"800\" height=\"600\"></iframe>");
            var frame = framer.Frames.Single(f => f != framer.MainFrame);
            Assert.Equal(0, await frame.Locator("#swagger-ui").CountAsync());
        }
        finally
        {
            // The operation with its live response, as a reviewer would look at it.
            var block = page.Locator("#operations-Plans-getCurrentPlan");
            if (await block.CountAsync() > 0 && await block.Locator(".live-responses-table").CountAsync() > 0)
                await block.ScreenshotAsync(new LocatorScreenshotOptions { Path = screenshot });
            else
                await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot });
        }
        Assert.True(new FileInfo(screenshot).Length > 0);
    }
}
