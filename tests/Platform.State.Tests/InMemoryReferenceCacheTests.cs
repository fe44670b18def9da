using Microsoft.Extensions.Options;

namespace Platform.State.Tests;

public sealed class InMemoryReferenceCacheTests : ReferenceCacheConformance
{
    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryReferenceCache _first;
    private readonly InMemoryReferenceCache _second;

    public InMemoryReferenceCacheTests()
    {
        var bus = new InMemoryReferenceCacheBus();
        var options = Options.Create(new ReferenceCacheOptions());
        _first = new InMemoryReferenceCache(bus, options, _time, MeterFactory);
        _second = new InMemoryReferenceCache(bus, options, _time, MeterFactory);
    }

    protected override IReferenceCache First => _first;

    protected override IReferenceCache Second => _second;

    protected override Task LetTimePassAsync(TimeSpan elapsed)
    {
        _time.Advance(elapsed);
        return Task.CompletedTask;
    }

    protected override void DisposeCaches()
    {
        _first.Dispose();
        _second.Dispose();
    }

    [Fact]
    public async Task Caches_on_different_buses_do_not_hear_each_other()
    {
        using var elsewhere = new InMemoryReferenceCache(new InMemoryReferenceCacheBus(), timeProvider: _time);
        var source = new CountingSource();
        await elsewhere.GetOrLoadAsync("carriers", "DHL", source.Load("v1"));

        await First.InvalidateAsync("carriers", "DHL");

        Assert.Equal("v1", (await elsewhere.GetOrLoadAsync("carriers", "DHL", source.Load("v2")))!.Name);
    }

    [Fact]
    public void A_disposed_bus_subscription_hears_nothing_more()
    {
        var bus = new InMemoryReferenceCacheBus();
        var heard = new List<ReferenceCacheInvalidation>();
        var subscription = bus.Subscribe(heard.Add);
        bus.Publish(new ReferenceCacheInvalidation("carriers", "DHL"));

        subscription.Dispose();
        bus.Publish(new ReferenceCacheInvalidation("carriers", null));

        Assert.Equal([new ReferenceCacheInvalidation("carriers", "DHL")], heard);
    }
}
