using Platform.State.Redis;
using Platform.Testing;
using StackExchange.Redis;

namespace Platform.State.Tests;

public sealed class RedisStateStoreTests : StateStoreConformance, IClassFixture<RedisServerFixture>
{
    private readonly RedisServerFixture _redis;
    private readonly string _storeName = RedisServerFixture.NewStoreName("state");

    public RedisStateStoreTests(RedisServerFixture redis)
    {
        _redis = redis;
        Store = new RedisStateStore(redis.Connection, _storeName);
    }

    protected override IStateStore Store { get; }

    protected override Task LetTimePassAsync(TimeSpan elapsed) => Task.Delay(elapsed);

    [Fact]
    public async Task Every_key_of_a_store_sits_under_its_hash_tag_so_one_slot_holds_the_store()
    {
        await Store.CommitAsync(new StateTransaction()
            .Set("order:1", "v"u8.ToArray(), timeToLive: TimeSpan.FromMinutes(1))
            .AddToIndex("by-time", "order:1", 1)
            .Enqueue(Outbox("e1", "t", "order:1")));
        await Store.TryAcquireLeaseAsync("relay", "pod-a", TimeSpan.FromMinutes(1));

        var server = _redis.Connection.GetServer(_redis.Connection.GetEndPoints()[0]);
        var keys = server.Keys(pattern: "{" + _storeName + "}:*").Select(key => key.ToString()).ToArray();

        Assert.Equal(
            new[] { "etag", "i:by-time", "k:order:1", "lease:relay", "outbox", "outbox:ids" }.Select(suffix => "{" + _storeName + "}:" + suffix),
            keys.Order(StringComparer.Ordinal));
        var slots = keys.Select(key => _redis.Connection.HashSlot(key)).Distinct();
        Assert.Single(slots);
        var ttl = await _redis.Connection.GetDatabase().KeyTimeToLiveAsync("{" + _storeName + "}:k:order:1");
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Two_connections_see_one_store_and_conflict_with_each_other()
    {
        await using var secondConnection = await _redis.ConnectAsync();
        var secondPod = new RedisStateStore(secondConnection, _storeName);
        var etag = await Store.SetAsync("k", "v1"u8.ToArray());

        Assert.Equal(etag, (await secondPod.GetAsync("k"))!.ETag);
        await secondPod.SetAsync("k", "v2"u8.ToArray(), StateCondition.Match(etag));

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.SetAsync("k", "v3"u8.ToArray(), StateCondition.Match(etag)));
        Assert.Equal("k", conflict.Key);
    }

    [Fact]
    public void Store_names_that_would_break_the_hash_tag_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new RedisStateStore(_redis.Connection, "bad}name"));
        Assert.Throws<ArgumentException>(() => new RedisStateStore(_redis.Connection, ""));
    }
}
