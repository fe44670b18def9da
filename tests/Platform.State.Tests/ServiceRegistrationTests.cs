using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Platform.State.Redis;
using Platform.Testing;
using StackExchange.Redis;

namespace Platform.State.Tests;

public sealed class ServiceRegistrationTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task AddInMemoryStateStore_registers_a_named_working_store()
    {
        await using var services = new ServiceCollection().AddInMemoryStateStore("order").BuildServiceProvider();

        var store = services.GetRequiredService<IStateStore>();
        await store.SetAsync("k", "v"u8.ToArray());

        Assert.IsType<InMemoryStateStore>(store);
        Assert.Equal("order", store.Name);
        Assert.Same(store, services.GetRequiredService<IStateStore>());
        Assert.NotNull(await store.GetAsync("k"));
    }

    [Fact]
    public async Task In_memory_caches_of_two_containers_sharing_one_bus_hear_each_other()
    {
        // The local host runs every service in one process, each with its own container and one shared bus.
        var bus = new InMemoryReferenceCacheBus();
        await using var order = new ServiceCollection().AddSingleton(bus).AddInMemoryReferenceCache().BuildServiceProvider();
        await using var tracking = new ServiceCollection().AddSingleton(bus).AddInMemoryReferenceCache().BuildServiceProvider();
        var orderCache = order.GetRequiredService<IReferenceCache>();
        var trackingCache = tracking.GetRequiredService<IReferenceCache>();
        var loads = 0;
        Task<string?> Load(CancellationToken _)
        {
            loads++;
            return Task.FromResult<string?>("value " + loads);
        }

        await orderCache.GetOrLoadAsync("carriers", "DHL", Load);
        await trackingCache.InvalidateAsync("carriers", "DHL");

        Assert.Equal("value 2", await orderCache.GetOrLoadAsync("carriers", "DHL", Load));
    }

    [Fact]
    public async Task AddInMemoryReferenceCache_applies_the_configured_default_time_to_live()
    {
        await using var services = new ServiceCollection()
            .AddInMemoryReferenceCache(options => options.DefaultTimeToLive = TimeSpan.FromSeconds(42))
            .BuildServiceProvider();

        Assert.IsType<InMemoryReferenceCache>(services.GetRequiredService<IReferenceCache>());
        Assert.Equal(TimeSpan.FromSeconds(42), services.GetRequiredService<IOptions<ReferenceCacheOptions>>().Value.DefaultTimeToLive);
    }

    [Fact]
    public async Task AddRedisStateStore_registers_store_and_cache_on_one_multiplexer()
    {
        var storeName = RedisServerFixture.NewStoreName("di");
        await using var services = new ServiceCollection()
            .AddRedisStateStore(options =>
            {
                options.ConnectionString = redis.ConnectionString;
                options.StoreName = storeName;
            })
            .BuildServiceProvider();

        var store = services.GetRequiredService<IStateStore>();
        var cache = services.GetRequiredService<IReferenceCache>();
        await store.SetAsync("k", "v"u8.ToArray());

        Assert.IsType<RedisStateStore>(store);
        Assert.IsType<RedisReferenceCache>(cache);
        Assert.Equal(storeName, store.Name);
        Assert.Single(services.GetServices<IConnectionMultiplexer>());
        Assert.True(await redis.Connection.GetDatabase().KeyExistsAsync("{" + storeName + "}:k:k"));
        Assert.Equal("loaded", await cache.GetOrLoadAsync("c", "k", _ => Task.FromResult<string?>("loaded")));
    }

    [Fact]
    public async Task AddRedisStateStore_reuses_a_multiplexer_the_container_already_has()
    {
        await using var services = new ServiceCollection()
            .AddSingleton(redis.Connection)
            .AddRedisStateStore(options =>
            {
                options.ConnectionString = "unused:1";
                options.StoreName = RedisServerFixture.NewStoreName("di");
            })
            .BuildServiceProvider();

        Assert.Same(redis.Connection, services.GetRequiredService<IConnectionMultiplexer>());
        await services.GetRequiredService<IStateStore>().SetAsync("k", "v"u8.ToArray());
    }

    [Theory]
    [InlineData("", "order", "ConnectionString is required")]
    [InlineData("127.0.0.1:6379", "", "StoreName is required")]
    [InlineData("127.0.0.1:6379", "or{der", "must not contain braces")]
    [InlineData("127.0.0.1:6379", "order service", "must not contain braces or whitespace")]
    public async Task AddRedisStateStore_refuses_invalid_options_with_a_clear_message(string connectionString, string storeName, string expected)
    {
        await using var services = new ServiceCollection()
            .AddRedisStateStore(options =>
            {
                options.ConnectionString = connectionString;
                options.StoreName = storeName;
            })
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStateStore>());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_without_abortConnect_keeps_retrying_at_start()
    {
        Assert.False(RedisStateServiceCollectionExtensions.ToConfiguration("redis:6379").AbortOnConnectFail);
        Assert.True(RedisStateServiceCollectionExtensions.ToConfiguration("redis:6379,abortConnect=true").AbortOnConnectFail);
    }
}
