using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.Hosting.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task Exported_metrics_pass_promtool_check_metrics()
    {
        await using var app = await TestApp.StartAsync();
        using var meter = app.App.Services.GetRequiredService<IMeterFactory>().Create("Platform.Test");
        meter.CreateCounter<long>("platform.test.requests", "{request}", "Requests handled by the test.").Add(3, new KeyValuePair<string, object?>("outcome", "ok"));
        meter.CreateCounter<long>("platform.test.payload", "By", "Bytes received by the test.").Add(2048);
        meter.CreateHistogram<double>("platform.test.duration", "s", "Time the test spent.").Record(0.042);
        meter.CreateGauge<long>("platform.test.queue.depth", "{item}", "Items waiting in the test queue.").Record(5);
        meter.CreateObservableGauge("platform.test.last_success.timestamp", () => 1_767_225_600.0, "s", "When the test last succeeded.");
        // One real request, so ASP.NET Core's own instruments are in the scrape that promtool checks.
        (await app.Http.GetAsync("/healthz")).EnsureSuccessStatusCode();

        var exposition = await app.Http.GetStringAsync("/metrics");
        var (exitCode, output) = await RunPromtoolAsync(exposition);

        Assert.True(exitCode == 0 && output.Trim().Length == 0, $"promtool check metrics reported:\n{output}\n--- exposition ---\n{exposition}");
        Assert.Contains("platform_test_requests_total{", exposition);
        Assert.Contains("platform_test_payload_bytes_total", exposition);
        Assert.Contains("platform_test_duration_seconds_bucket{", exposition);
        Assert.Contains("platform_test_queue_depth{", exposition);
        Assert.Contains("platform_test_last_success_timestamp_seconds{", exposition);
        Assert.Contains("http_server_request_duration_seconds_bucket{", exposition);
    }

    [Fact]
    public async Task Two_apps_in_one_process_each_export_only_their_own_meters()
    {
        await using var first = await TestApp.StartAsync();
        await using var second = await TestApp.StartAsync();
        using var firstMeter = first.App.Services.GetRequiredService<IMeterFactory>().Create("Platform.Test");
        using var secondMeter = second.App.Services.GetRequiredService<IMeterFactory>().Create("Platform.Test");
        firstMeter.CreateCounter<long>("platform.test.isolation", "{event}").Add(1);
        secondMeter.CreateCounter<long>("platform.test.isolation", "{event}").Add(5);

        var firstValues = SampleValues(await first.Http.GetStringAsync("/metrics"), "platform_test_isolation_total");
        var secondValues = SampleValues(await second.Http.GetStringAsync("/metrics"), "platform_test_isolation_total");

        Assert.Equal([1d], firstValues);
        Assert.Equal([5d], secondValues);
    }

    [Fact]
    public async Task Keys_of_one_app_do_not_open_another()
    {
        var otherSettings = TestApp.DefaultSettings();
        otherSettings["Platform:Auth:ApiKeys:0:Key"] = "another-reader-key-9876543210";
        await using var first = await TestApp.StartAsync();
        await using var second = await TestApp.StartAsync(otherSettings);

        var request = new HttpRequestMessage(HttpMethod.Get, "/api/whoami");
        request.Headers.Add("x-api-key", TestApp.ReaderKey);
        using var response = await second.Http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(first.Endpoints.GrpcPort, second.Endpoints.GrpcPort);
    }

    private static List<double> SampleValues(string exposition, string metricName) =>
        exposition.Split('\n')
            .Where(line => line.StartsWith(metricName + "{", StringComparison.Ordinal) || line.StartsWith(metricName + " ", StringComparison.Ordinal))
            .Select(line =>
            {
                var afterLabels = line[(line.LastIndexOf('}') + 1)..].Trim();
                return double.Parse(afterLabels.Split(' ')[0], CultureInfo.InvariantCulture);
            })
            .ToList();

    private static async Task<(int ExitCode, string Output)> RunPromtoolAsync(string exposition)
    {
        var promtool = FindOnPath("promtool");
        Assert.True(promtool is not null, "promtool is not installed: run `apt-get install -y prometheus` (Debian's package ships promtool).");

        var start = new ProcessStartInfo(promtool!, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(exposition);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string? FindOnPath(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists);
}
