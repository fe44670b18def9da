using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Platform.Ctl.Output;
using Platform.Local;
using Platform.Messaging;

namespace Platform.Ctl.Tests;

public sealed class StatusCommandTests
{
    [Fact]
    public async Task Status_of_one_service_shows_its_adapters_and_backlogs_as_a_table()
    {
        await using var host = await TestServiceHost.StartAsync("order");
        await DeadLetterSeed.RecordAsync(host, "dl-a", FailureKinds.Invalid);
        await DeadLetterSeed.RecordAsync(host, "dl-b", FailureKinds.Exhausted);

        var result = await new CtlRunner().RunAsync("status", "--service", "order", "--endpoint-order", host.GrpcAddress, "--api-key", TestServiceHost.ReaderKey);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Empty(result.Error);
        var row = Assert.Single(result.Out.Split('\n'), line => line.Contains("│ order ", StringComparison.Ordinal));
        var cells = row.Split('│', StringSplitOptions.TrimEntries);
        // service, version, bus, state, outbox pending, dead letters: the first cells of the row.
        Assert.Equal("order", cells[1]);
        Assert.Equal("in-memory", cells[3]);
        Assert.Equal("inmemory", cells[4]);
        Assert.Equal("2", cells[6]);
        Assert.Contains("dead letters", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_as_json_carries_the_service_status_message()
    {
        await using var host = await TestServiceHost.StartAsync("inventory");
        await DeadLetterSeed.RecordAsync(host, "dl-json", FailureKinds.Malformed);

        var result = await new CtlRunner().RunAsync("status", "--json", "--service", "inventory", "--endpoint-inventory", host.GrpcAddress, "--api-key", TestServiceHost.AdminKey);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var entry = Assert.Single(document.RootElement.GetProperty("services").EnumerateArray());
        Assert.Equal("inventory", entry.GetProperty("service").GetString());
        var status = entry.GetProperty("status");
        Assert.Equal("inventory", status.GetProperty("service").GetString());
        Assert.Equal("in-memory", status.GetProperty("busProvider").GetString());
        // Protobuf's JSON mapping writes 64-bit integers as strings.
        Assert.Equal("1", status.GetProperty("deadLettersPending").GetString());
        Assert.Equal("0", status.GetProperty("outboxPending").GetString());
        Assert.DoesNotContain('\u001b', result.Out);
    }

    [Fact]
    public async Task Status_of_all_services_reports_each_unreachable_one_and_exits_unavailable()
    {
        await using var host = await TestServiceHost.StartAsync("order");
        var closed = DeadLetterSeed.ClosedLoopbackAddress();
        var endpointsFile = Path.Combine(Path.GetTempPath(), $"platformctl-endpoints-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(endpointsFile, JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["catalog"] = closed,
            ["inventory"] = closed,
            ["order"] = host.GrpcAddress,
            ["customer"] = closed,
            ["tracking"] = closed,
        }));
        try
        {
            var result = await new CtlRunner().RunAsync("status", "--all", "--endpoints", endpointsFile, "--api-key", TestServiceHost.AdminKey, "--timeout", "5s");

            Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
            Assert.Contains(result.Out.Split('\n'), line => line.Contains("│ order ", StringComparison.Ordinal) && line.Contains("in-memory", StringComparison.Ordinal));
            foreach (var service in new[] { "catalog", "inventory", "customer", "tracking" })
            {
                Assert.Contains(result.Out.Split('\n'), line => line.Contains($"│ {service} ", StringComparison.Ordinal) && line.Contains("unreachable", StringComparison.Ordinal));
                Assert.Contains($"platformctl: {service} ({closed}) is unreachable", result.Error, StringComparison.Ordinal);
            }

            Assert.DoesNotContain("order", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(endpointsFile);
        }
    }

    [Fact]
    public async Task Status_finds_every_service_of_the_local_host_from_its_base_port_alone()
    {
        var basePort = FreePortRange();
        await using var platform = await LocalPlatform.StartAsync(new LocalOptions { BasePort = basePort }, CancellationToken.None);
        var runner = new CtlRunner { Environment = { ["PLATFORMCTL_API_KEY"] = platform.ApiKey } };

        var result = await runner.RunAsync("status", "--base-port", basePort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var entries = document.RootElement.GetProperty("services").EnumerateArray().ToList();
        Assert.Equal(["catalog", "inventory", "order", "customer", "tracking"], entries.Select(e => e.GetProperty("status").GetProperty("service").GetString()));
        Assert.Equal(
            Enumerable.Range(0, 5).Select(i => $"http://127.0.0.1:{basePort + (i * 10) + 1}/"),
            entries.Select(e => e.GetProperty("endpoint").GetString()));
        Assert.DoesNotContain(platform.ApiKey, result.All, StringComparison.Ordinal);
    }

    // The local host lays six apps out as base+10i (HTTP) and base+10i+1 (gRPC); find a base where all are free.
    private static int FreePortRange()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var basePort = Random.Shared.Next(20_000, 60_000) / 10 * 10;
            if (Enumerable.Range(0, 6).SelectMany(i => new[] { basePort + (i * 10), basePort + (i * 10) + 1 }).All(IsFree))
            {
                return basePort;
            }
        }

        throw new InvalidOperationException("no free range of loopback ports found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
