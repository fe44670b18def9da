using System.Text.Json;
using Platform.Ctl.Output;
using Platform.Messaging;

namespace Platform.Ctl.Tests;

public sealed class ReplayCommandTests
{
    private static string[] Order(TestServiceHost host, params string[] args) =>
        [.. args, "--service", "order", "--endpoint-order", host.GrpcAddress, "--api-key", TestServiceHost.AdminKey];

    private static async Task<TestServiceHost> StartWithLettersAsync()
    {
        var host = await TestServiceHost.StartAsync("order");
        await DeadLetterSeed.RecordAsync(host, "dl-1", FailureKinds.Invalid, age: TimeSpan.FromMinutes(3));
        await DeadLetterSeed.RecordAsync(host, "dl-2", FailureKinds.Exhausted, age: TimeSpan.FromMinutes(2));
        await DeadLetterSeed.RecordAsync(host, "dl-3", FailureKinds.Exhausted, age: TimeSpan.FromMinutes(1));
        return host;
    }

    private static async Task<List<string>> RemainingAsync(TestServiceHost host) =>
        DeadLetterCommandTests.RowIds((await new CtlRunner().RunAsync(Order(host, "dlq", "list"))).Out);

    private static List<string> RetriedEventIds(TestServiceHost host) =>
        host.Log.ReadAll(DeadLetterSeed.Group + ".retry").Select(record => record.Headers[EventHeaders.Id]).ToList();

    [Fact]
    public async Task Replay_by_id_with_yes_sends_the_letters_back_and_removes_them()
    {
        await using var host = await StartWithLettersAsync();

        var result = await new CtlRunner().RunAsync(Order(host, "dlq", "replay", "--id", "dl-1", "dl-3", "--yes"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("Replayed 2 dead letter(s) of order (by id).", result.Out, StringComparison.Ordinal);
        Assert.Equal(["dl-2"], await RemainingAsync(host));
        Assert.Equal(["event-dl-1", "event-dl-3"], RetriedEventIds(host).Order());
    }

    [Fact]
    public async Task Replay_of_many_ids_goes_in_chunks_and_reports_ids_that_were_not_found()
    {
        await using var host = await StartWithLettersAsync();

        var result = await new CtlRunner().RunAsync(Order(host, "dlq", "replay", "--id", "dl-1", "--id", "dl-2", "--id", "dl-gone", "--id", "dl-3", "--chunk-size", "1", "--yes", "--json"));

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        Assert.Equal(4, document.RootElement.GetProperty("requested").GetInt32());
        Assert.Equal(3, document.RootElement.GetProperty("replayed").GetInt64());
        Assert.Contains("1 of 4 id(s) were not found in order's dead letters", result.Error, StringComparison.Ordinal);
        Assert.Empty(await RemainingAsync(host));
        Assert.Equal(3, RetriedEventIds(host).Count);
    }

    [Fact]
    public async Task Replay_by_filter_replays_only_the_matching_letters()
    {
        await using var host = await StartWithLettersAsync();

        var result = await new CtlRunner().RunAsync(Order(host, "dlq", "replay", "--kind", "exhausted", "--yes"));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("Replayed 2 dead letter(s) of order (matching kind exhausted).", result.Out, StringComparison.Ordinal);
        Assert.Equal(["dl-1"], await RemainingAsync(host));
    }

    [Fact]
    public async Task Replay_all_asks_with_the_count_and_does_nothing_when_the_operator_declines()
    {
        await using var host = await StartWithLettersAsync();
        var declining = new CtlRunner { Answer = _ => false };

        var declined = await declining.RunAsync(Order(host, "dlq", "replay", "--all"));

        Assert.Equal(ExitCodes.Declined, declined.ExitCode);
        Assert.Equal("Replay 3 dead letter(s) of order (all) to their consumer groups?", Assert.Single(declining.Questions));
        Assert.Equal(["dl-1", "dl-2", "dl-3"], await RemainingAsync(host));
        Assert.Empty(RetriedEventIds(host));

        var accepting = new CtlRunner { Answer = _ => true };
        var accepted = await accepting.RunAsync(Order(host, "dlq", "replay", "--all"));

        Assert.Equal(ExitCodes.Success, accepted.ExitCode);
        Assert.Contains("Replayed 3 dead letter(s) of order (all).", accepted.Out, StringComparison.Ordinal);
        Assert.Empty(await RemainingAsync(host));
    }

    [Fact]
    public async Task Replay_by_filter_counts_the_matches_for_the_question_and_skips_the_call_when_none_match()
    {
        await using var host = await StartWithLettersAsync();
        var ctl = new CtlRunner { Answer = _ => true };

        var matched = await ctl.RunAsync(Order(host, "dlq", "replay", "--kind", "exhausted", "--max-age", "90s"));
        Assert.Equal(ExitCodes.Success, matched.ExitCode);
        Assert.Equal("Replay 1 dead letter(s) of order (matching kind exhausted, at most 1m30s old) to their consumer groups?", Assert.Single(ctl.Questions));
        Assert.Equal(["dl-1", "dl-2"], await RemainingAsync(host));

        var nothing = await ctl.RunAsync(Order(host, "dlq", "replay", "--type", "platform.order.v1.OrderShipped"));
        Assert.Equal(ExitCodes.Success, nothing.ExitCode);
        Assert.Contains("No dead letters of order to replay", nothing.Out, StringComparison.Ordinal);
        Assert.Single(ctl.Questions);
    }

    [Fact]
    public async Task Replay_without_yes_where_nobody_can_confirm_refuses_and_changes_nothing()
    {
        await using var host = await StartWithLettersAsync();

        var result = await new CtlRunner().RunAsync(Order(host, "dlq", "replay", "--all"));

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("pass --yes", result.Error, StringComparison.Ordinal);
        Assert.Equal(["dl-1", "dl-2", "dl-3"], await RemainingAsync(host));
    }

    [Theory]
    [InlineData("dlq", "replay", "--service", "order")]
    [InlineData("dlq", "replay", "--service", "order", "--all", "--kind", "invalid")]
    [InlineData("dlq", "replay", "--service", "order", "--id", "dl-1", "--topic", "t")]
    public async Task Replay_needs_exactly_one_way_of_choosing_the_letters(params string[] args)
    {
        var result = await new CtlRunner().RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Empty(result.Out);
    }
}
