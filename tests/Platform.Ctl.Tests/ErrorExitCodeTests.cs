using Platform.Ctl.Output;
using Platform.Messaging;

namespace Platform.Ctl.Tests;

public sealed class ErrorExitCodeTests
{
    [Fact]
    public async Task A_missing_or_unknown_key_exits_unauthenticated_without_printing_the_key()
    {
        await using var host = await TestServiceHost.StartAsync("order");
        const string wrongKey = "this-key-is-not-configured-anywhere-42";

        var missing = await new CtlRunner().RunAsync("status", "--service", "order", "--endpoint-order", host.GrpcAddress);
        var unknown = await new CtlRunner().RunAsync("dlq", "list", "--service", "order", "--endpoint-order", host.GrpcAddress, "--api-key", wrongKey);

        Assert.Equal(ExitCodes.Unauthenticated, missing.ExitCode);
        Assert.Equal(ExitCodes.Unauthenticated, unknown.ExitCode);
        Assert.Equal(
            $"platformctl: order ({host.Endpoints.Grpc.GetLeftPart(UriPartial.Authority)}) refused ListDeadLetters: no API key, or one it does not know; pass --api-key or set PLATFORMCTL_API_KEY.",
            unknown.Error.Trim());
        Assert.DoesNotContain(wrongKey, unknown.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_only_key_may_see_status_but_not_dead_letters()
    {
        await using var host = await TestServiceHost.StartAsync("tracking");
        await DeadLetterSeed.RecordAsync(host, "dl-t", FailureKinds.Invalid, eventType: "platform.tracking.v1.ShipmentCreated", topic: "tracking.shipments.v1");
        var ctl = new CtlRunner { Environment = { ["PLATFORMCTL_API_KEY"] = TestServiceHost.ReaderKey, ["PLATFORMCTL_ENDPOINT_TRACKING"] = host.GrpcAddress } };

        var status = await ctl.RunAsync("status", "--service", "tracking");
        var list = await ctl.RunAsync("dlq", "list", "--service", "tracking");
        var replay = await ctl.RunAsync("dlq", "replay", "--service", "tracking", "--all", "--yes");

        Assert.Equal(ExitCodes.Success, status.ExitCode);
        Assert.Equal(ExitCodes.PermissionDenied, list.ExitCode);
        Assert.Contains("lacks the scope it needs", list.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.PermissionDenied, replay.ExitCode);
        Assert.Equal(1, await host.DeadLetters.CountAsync());
    }

    [Fact]
    public async Task An_unreachable_service_exits_unavailable_with_its_address()
    {
        var closed = DeadLetterSeed.ClosedLoopbackAddress();

        var result = await new CtlRunner().RunAsync("dlq", "show", "dl-1", "--service", "customer", "--endpoint-customer", closed, "--api-key", "k", "--timeout", "5s");

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.StartsWith($"platformctl: customer ({closed}) is unreachable: ", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Empty(result.Out);
    }

    [Theory]
    [InlineData("dlq", "list")]
    [InlineData("dlq", "list", "--service", "billing")]
    [InlineData("dlq", "list", "--service", "order", "--kind", "bogus")]
    [InlineData("dlq", "list", "--service", "order", "--max-age", "soon")]
    [InlineData("dlq", "list", "--service", "order", "--page-size", "5000")]
    [InlineData("dlq", "list", "--service", "order", "--page-size", "abc")]
    [InlineData("dlq", "replay", "--service", "order", "--all", "--chunk-size", "many")]
    [InlineData("status", "--base-port", "x")]
    [InlineData("status", "--service", "order", "--all")]
    [InlineData("status", "--timeout", "0s")]
    [InlineData("frobnicate")]
    [InlineData()]
    public async Task Bad_arguments_exit_with_the_usage_code(params string[] args)
    {
        var result = await new CtlRunner().RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("platformctl: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_endpoint_that_is_not_a_url_is_a_usage_error()
    {
        var result = await new CtlRunner { Environment = { ["PLATFORMCTL_ENDPOINT_ORDER"] = "order:5121" } }.RunAsync("status", "--service", "order");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("PLATFORMCTL_ENDPOINT_ORDER: 'order:5121' is not an http:// or https:// URL", result.Error, StringComparison.Ordinal);
    }
}
