using Microsoft.Extensions.Options;
using Platform.State.Redis;
using Platform.Testing;
using StackExchange.Redis;

namespace Platform.State.Tests;

/// <summary>The second instance has its own multiplexer, as a second pod would, so invalidations really cross Redis pub/sub.</summary>
public sealed class RedisReferenceCacheTests : ReferenceCacheConformance, IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly RedisServerFixture _redis;
    private readonly string _storeName = RedisServerFixture.NewStoreName("cache");
    private readonly RedisReferenceCache _first;
    private ConnectionMultiplexer? _secondConnection;
    private RedisReferenceCache? _second;

    public RedisReferenceCacheTests(RedisServerFixture redis)
    {
        _redis = redis;
        _first = new RedisReferenceCache(redis.Connection, _storeName, Options.Create(new ReferenceCacheOptions()), MeterFactory);
    }

    protected override IReferenceCache First => _first;

    protected override IReferenceCache Second => _second ?? throw new InvalidOperationException("InitializeAsync has not run.");

    public async Task InitializeAsync()
    {
        _secondConnection = await _redis.ConnectAsync();
        _second = new RedisReferenceCache(_secondConnection, _storeName, Options.Create(new ReferenceCacheOptions()), MeterFactory);
    }

    public async Task DisposeAsync()
    {
        _second?.Dispose();
        if (_secondConnection is not null)
        {
            await _secondConnection.DisposeAsync();
        }
    }

    protected override Task LetTimePassAsync(TimeSpan elapsed) => Task.Delay(elapsed);

    protected override void DisposeCaches() => _first.Dispose();

    [Fact]
    public async Task A_value_loaded_by_one_instance_is_served_to_another_from_redis_then_locally()
    {
        var source = new CountingSource();

        await First.GetOrLoadAsync("locations", "WH1", source.Load("Main warehouse"));
        var fromRedis = await Second.GetOrLoadAsync("locations", "WH1", source.Load("not expected"));
        var fromLocal = await Second.GetOrLoadAsync("locations", "WH1", source.Load("not expected"));

        Assert.Equal("Main warehouse", fromRedis!.Name);
        Assert.Equal("Main warehouse", fromLocal!.Name);
        Assert.Equal(1, source.Loads);
        Assert.Equal(["miss", "hit_redis", "hit_local"], LookupResults("locations"));
    }

    [Fact]
    public async Task The_shared_copy_is_json_under_the_store_hash_tag_with_the_requested_time_to_live()
    {
        var source = new CountingSource();
        await First.GetOrLoadAsync("carriers", "DHL", source.Load("DHL Express"), TimeSpan.FromMinutes(2));

        var database = _redis.Connection.GetDatabase();
        var key = "{" + _storeName + "}:ref:carriers:DHL";
        Assert.Equal("{\"name\":\"DHL Express\"}", (string?)await database.StringGetAsync(key));
        Assert.InRange((await database.KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromSeconds(100), TimeSpan.FromMinutes(2));

        await First.InvalidateCategoryAsync("carriers");
        Assert.False(await database.KeyExistsAsync(key));
        Assert.False(await database.KeyExistsAsync("{" + _storeName + "}:refcat:carriers"));
    }

    [Fact]
    public async Task A_local_copy_loaded_from_redis_expires_with_the_shared_one()
    {
        var source = new CountingSource();
        await First.GetOrLoadAsync("carriers", "DHL", source.Load("v1"), ShortTimeToLive);

        // Asked for a long TTL, but the shared copy expires soon: the local copy must not outlive it.
        Assert.Equal("v1", (await Second.GetOrLoadAsync("carriers", "DHL", source.Load("v2"), TimeSpan.FromHours(1)))!.Name);
        await LetTimePassAsync(ShortTimeToLive * 2);

        Assert.Equal("v2", (await Second.GetOrLoadAsync("carriers", "DHL", source.Load("v2"), TimeSpan.FromHours(1)))!.Name);
        Assert.Equal(2, source.Loads);
    }

    [Fact]
    public async Task An_unreadable_shared_copy_is_treated_as_a_miss_and_replaced()
    {
        var key = "{" + _storeName + "}:ref:carriers:DHL";
        await _redis.Connection.GetDatabase().StringSetAsync(key, "not json", TimeSpan.FromMinutes(1));
        var source = new CountingSource();

        var loaded = await First.GetOrLoadAsync("carriers", "DHL", source.Load("DHL"));

        Assert.Equal("DHL", loaded!.Name);
        Assert.Equal(1, source.Loads);
        Assert.Equal("{\"name\":\"DHL\"}", (string?)await _redis.Connection.GetDatabase().StringGetAsync(key));
    }
}
