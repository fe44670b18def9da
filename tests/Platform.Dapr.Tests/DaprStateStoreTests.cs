using System.Text;
using Dapr;
using Grpc.Core;
using Platform.Dapr.Tests.Sidecar;
using Platform.State;
using Platform.State.Dapr;

namespace Platform.Dapr.Tests;

/// <summary>What the Dapr state adapter does beyond the port's contract: how it lays out keys and copes with the component.</summary>
public sealed class DaprStateStoreTests(DaprSidecarFixture dapr) : IClassFixture<DaprSidecarFixture>
{
    private const string AppId = "platform-test";
    private readonly string _storeName = DaprSidecarFixture.NewStoreName("state");

    private StateComponentDouble Component => dapr.Sidecar.State("statestore");

    private DaprStateStore NewStore(string? component = null) => new(dapr.Client, new DaprStateOptions
    {
        StoreName = _storeName,
        ComponentName = component ?? "statestore",
    });

    private string Physical(string suffix) => $"{AppId}||{_storeName}:{suffix}";

    [Fact]
    public async Task The_components_etag_starting_again_after_a_delete_never_becomes_a_matching_port_etag()
    {
        var store = NewStore();
        var first = await store.SetAsync("k", "v"u8.ToArray());
        var componentETag = Component.Get($"{_storeName}:v:k")!.Value.ETag;
        await store.DeleteAsync("k");
        var second = await store.SetAsync("k", "v"u8.ToArray());

        // The component hands out version 1 again, as the Redis component does; the port's ETags stay distinct.
        Assert.Equal(componentETag, Component.Get($"{_storeName}:v:k")!.Value.ETag);
        Assert.NotEqual(first, second);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => store.SetAsync("k", "w"u8.ToArray(), StateCondition.Match(first)));
    }

    [Fact]
    public async Task Values_indexes_outbox_and_leases_sit_under_the_store_name_with_the_components_ttl_rounded_up()
    {
        var store = NewStore();
        await store.CommitAsync(new StateTransaction()
            .Set("order:1", "v"u8.ToArray(), timeToLive: TimeSpan.FromMilliseconds(61_500))
            .Set("order:2", "v"u8.ToArray())
            .AddToIndex("by-time", "order:1", 1)
            .Enqueue(new OutboxEntry("e1", "order.orders.v1", "order:1", new Dictionary<string, string>(), "p"u8.ToArray())));
        Assert.True(await store.TryAcquireLeaseAsync("relay", "pod-a", TimeSpan.FromSeconds(30)));

        Assert.Equal(
            new[] { "i:by-time", "l:relay", "o:e1", "outbox", "v:order:1", "v:order:2" }.Select(Physical),
            Component.PhysicalKeys().Where(key => key.StartsWith($"{AppId}||{_storeName}:", StringComparison.Ordinal)));
        Assert.InRange(Component.ExpiryOf($"{_storeName}:v:order:1")!.Value - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(62));
        Assert.Null(Component.ExpiryOf($"{_storeName}:v:order:2"));
        Assert.InRange(Component.ExpiryOf($"{_storeName}:l:relay")!.Value - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(28), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_check_that_a_key_is_absent_is_guarded_by_a_tombstone_that_reads_as_absent()
    {
        var store = NewStore();

        await store.CommitAsync(new StateTransaction().Check("parent", StateCondition.MustNotExist).Set("child", "c"u8.ToArray()));

        Assert.Contains(Physical("v:parent"), Component.PhysicalKeys());
        Assert.Null(await store.GetAsync("parent"));
        Assert.Empty(await store.GetManyAsync(["parent"]));
        Assert.False(await store.DeleteAsync("parent"));
        await store.SetAsync("parent", "p"u8.ToArray(), StateCondition.MustNotExist);
        Assert.Equal("p", Encoding.UTF8.GetString((await store.GetAsync("parent"))!.Value.Span));
    }

    [Fact]
    public async Task Concurrent_commits_to_one_index_and_the_outbox_are_retried_until_every_one_is_in()
    {
        var pods = Enumerable.Range(0, 4).Select(_ => NewStore()).ToArray();
        const int commits = 40;

        await Task.WhenAll(Enumerable.Range(0, commits).Select(i => Task.Run(() => pods[i % pods.Length].CommitAsync(new StateTransaction()
            .Set($"order:{i}", Encoding.UTF8.GetBytes("placed"), StateCondition.MustNotExist)
            .AddToIndex("awaiting-export", $"order:{i}", i)
            .Enqueue(new OutboxEntry($"e{i}", "order.orders.v1", $"order:{i}", new Dictionary<string, string>(), new[] { (byte)i }))))));

        var store = pods[0];
        Assert.Equal(Enumerable.Range(0, commits).Select(i => $"order:{i}"), (await store.ReadIndexAsync("awaiting-export", take: 1000)).Select(entry => entry.Member));
        Assert.Equal(commits, await store.CountOutboxAsync());
        Assert.Equal(Enumerable.Range(0, commits).Select(i => $"e{i}").Order(), (await store.ReadOutboxAsync(1000)).Select(entry => entry.Id).Order());
    }

    [Fact]
    public async Task Outbox_entries_are_read_in_commit_order_across_pods()
    {
        var podA = NewStore();
        var podB = NewStore();
        for (var i = 0; i < 6; i++)
        {
            await (i % 2 == 0 ? podA : podB).CommitAsync(new StateTransaction().Enqueue(new OutboxEntry($"e{i}", "t", "k", new Dictionary<string, string>(), ReadOnlyMemory<byte>.Empty)));
        }

        Assert.Equal(["e0", "e1", "e2", "e3", "e4", "e5"], (await podB.ReadOutboxAsync(10)).Select(entry => entry.Id));
        await podA.AcknowledgeOutboxAsync(["e0", "e1"]);
        Assert.Equal(["e2", "e3"], (await podB.ReadOutboxAsync(2)).Select(entry => entry.Id));
        Assert.DoesNotContain(Physical("o:e0"), Component.PhysicalKeys());
    }

    [Fact]
    public async Task A_write_failure_that_is_not_a_race_is_reported_as_it_is_and_writes_nothing()
    {
        var store = NewStore();
        var etag = await store.SetAsync("k", "v1"u8.ToArray());
        Component.WriteFault = new RpcException(new Status(StatusCode.Unavailable, "connection to the database refused"));
        try
        {
            var commit = await Assert.ThrowsAsync<DaprException>(() => store.CommitAsync(new StateTransaction()
                .Set("k", "v2"u8.ToArray(), StateCondition.Match(etag))
                .AddToIndex("idx", "k", 1)));
            Assert.Contains("connection to the database refused", commit.InnerException!.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<DaprException>(() => store.SetAsync("k", "v3"u8.ToArray(), StateCondition.Exists));
            await Assert.ThrowsAsync<DaprException>(() => store.SetAsync("fresh", "v"u8.ToArray(), StateCondition.MustNotExist));
        }
        finally
        {
            Component.WriteFault = null;
        }

        Assert.Equal(etag, (await store.GetAsync("k"))!.ETag);
        Assert.Equal(0, await store.CountIndexAsync("idx"));
    }

    [Fact]
    public async Task A_component_the_sidecar_does_not_know_fails_loudly()
    {
        var store = NewStore(component: "no-such-store");

        var failure = await Assert.ThrowsAsync<DaprException>(async () => await store.GetAsync("k"));

        Assert.Contains("no-such-store", failure.InnerException!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Names_that_would_break_the_key_layout_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new DaprStateStore(dapr.Client, new DaprStateOptions { StoreName = "a:b" }));
        Assert.Throws<ArgumentException>(() => new DaprStateStore(dapr.Client, new DaprStateOptions { StoreName = "" }));
        Assert.Throws<ArgumentException>(() => new DaprStateStore(dapr.Client, new DaprStateOptions { StoreName = "s", ComponentName = " " }));
        var store = NewStore();
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.GetAsync("a||b"));
        await Assert.ThrowsAsync<ArgumentException>(() => store.CommitAsync(new StateTransaction().AddToIndex("i||x", "m", 1)));
    }
}
