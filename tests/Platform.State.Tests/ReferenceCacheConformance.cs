using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.State.Tests;

/// <summary>
/// What every <see cref="IReferenceCache"/> adapter must do. <see cref="First"/> and <see cref="Second"/> are two
/// instances of one service (two pods, or two services in the local host) sharing invalidations.
/// </summary>
public abstract class ReferenceCacheConformance : IDisposable
{
    private readonly ServiceProvider _metricsServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<(string Category, string Result)> _lookups = [];

    protected ReferenceCacheConformance()
    {
        MeterFactory = _metricsServices.GetRequiredService<IMeterFactory>();

        // Only this test's factory is heard, so tests running in parallel never count each other's lookups.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == MeterFactory && instrument.Name == "platform.reference_cache.lookups")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? category = null, result = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "category")
                {
                    category = tag.Value as string;
                }
                else if (tag.Key == "result")
                {
                    result = tag.Value as string;
                }
            }

            lock (_lookups)
            {
                _lookups.Add((category!, result!));
            }
        });
        _listener.Start();
    }

    protected IMeterFactory MeterFactory { get; }

    protected abstract IReferenceCache First { get; }

    protected abstract IReferenceCache Second { get; }

    /// <summary>Moves the caches' clock: a fake clock in memory, real waiting against Redis.</summary>
    protected abstract Task LetTimePassAsync(TimeSpan elapsed);

    protected static TimeSpan ShortTimeToLive { get; } = TimeSpan.FromMilliseconds(700);

    [Fact]
    public async Task Cache_aside_loads_once_then_hits()
    {
        var source = new CountingSource();

        var first = await First.GetOrLoadAsync("carriers", "DHL", source.Load("DHL Express"));
        var again = await First.GetOrLoadAsync("carriers", "DHL", source.Load("changed at the source"));
        var third = await First.GetOrLoadAsync("carriers", "DHL", source.Load("changed at the source"));

        Assert.Equal("DHL Express", first!.Name);
        Assert.Equal("DHL Express", again!.Name);
        Assert.Equal("DHL Express", third!.Name);
        Assert.Equal(1, source.Loads);
        Assert.Equal(["miss", "hit_local", "hit_local"], LookupResults("carriers"));
    }

    [Fact]
    public async Task Keys_and_categories_are_cached_separately()
    {
        var source = new CountingSource();

        await First.GetOrLoadAsync("carriers", "DHL", source.Load("DHL"));
        await First.GetOrLoadAsync("carriers", "UPS", source.Load("UPS"));
        var location = await First.GetOrLoadAsync("locations", "DHL", source.Load("warehouse DHL"));

        Assert.Equal("warehouse DHL", location!.Name);
        Assert.Equal(3, source.Loads);
        Assert.Equal("UPS", (await First.GetOrLoadAsync("carriers", "UPS", source.Load("other")))!.Name);
        Assert.Equal(3, source.Loads);
    }

    [Fact]
    public async Task A_null_load_is_not_cached()
    {
        var source = new CountingSource();

        Assert.Null(await First.GetOrLoadAsync<Carrier>("carriers", "unknown", source.LoadNothing()));
        Assert.Null(await First.GetOrLoadAsync<Carrier>("carriers", "unknown", source.LoadNothing()));
        var found = await First.GetOrLoadAsync("carriers", "unknown", source.Load("now known"));

        Assert.Equal("now known", found!.Name);
        Assert.Equal(3, source.Loads);
    }

    [Fact]
    public async Task An_entry_is_reloaded_after_its_time_to_live()
    {
        var source = new CountingSource();
        await First.GetOrLoadAsync("carriers", "DHL", source.Load("v1"), ShortTimeToLive);
        Assert.Equal("v1", (await First.GetOrLoadAsync("carriers", "DHL", source.Load("v2"), ShortTimeToLive))!.Name);

        await LetTimePassAsync(ShortTimeToLive * 2);

        Assert.Equal("v2", (await First.GetOrLoadAsync("carriers", "DHL", source.Load("v2"), ShortTimeToLive))!.Name);
        Assert.Equal(2, source.Loads);
    }

    [Fact]
    public async Task Invalidating_a_key_on_one_instance_makes_another_reload_it()
    {
        var source = new CountingSource();
        await Second.GetOrLoadAsync("carriers", "DHL", source.Load("v1"));
        await Second.GetOrLoadAsync("carriers", "UPS", source.Load("ups"));
        Assert.Equal("v1", (await Second.GetOrLoadAsync("carriers", "DHL", source.Load("v2")))!.Name);

        await First.InvalidateAsync("carriers", "DHL");

        await Eventually.TrueAsync(
            async () => (await Second.GetOrLoadAsync("carriers", "DHL", source.Load("v2")))!.Name == "v2",
            "the second instance reloads the invalidated key");
        var loadsAfterReload = source.Loads;
        Assert.Equal("ups", (await Second.GetOrLoadAsync("carriers", "UPS", source.Load("ups changed")))!.Name);
        Assert.Equal("v2", (await Second.GetOrLoadAsync("carriers", "DHL", source.Load("v3")))!.Name);
        Assert.Equal(loadsAfterReload, source.Loads);
    }

    [Fact]
    public async Task Invalidating_a_category_on_one_instance_makes_another_reload_all_of_it()
    {
        var source = new CountingSource();
        await Second.GetOrLoadAsync("carriers", "DHL", source.Load("dhl v1"));
        await Second.GetOrLoadAsync("carriers", "UPS", source.Load("ups v1"));
        await Second.GetOrLoadAsync("locations", "WH1", source.Load("wh1 v1"));

        await First.InvalidateCategoryAsync("carriers");

        await Eventually.TrueAsync(
            async () => (await Second.GetOrLoadAsync("carriers", "DHL", source.Load("dhl v2")))!.Name == "dhl v2",
            "the second instance reloads the first key of the invalidated category");
        Assert.Equal("ups v2", (await Second.GetOrLoadAsync("carriers", "UPS", source.Load("ups v2")))!.Name);
        Assert.Equal("wh1 v1", (await Second.GetOrLoadAsync("locations", "WH1", source.Load("wh1 v2")))!.Name);
    }

    [Fact]
    public async Task Invalidation_drops_the_local_copy_at_once_on_the_instance_that_invalidates()
    {
        var source = new CountingSource();
        await First.GetOrLoadAsync("carriers", "DHL", source.Load("v1"));

        await First.InvalidateAsync("carriers", "DHL");

        Assert.Equal("v2", (await First.GetOrLoadAsync("carriers", "DHL", source.Load("v2")))!.Name);
        Assert.Equal(2, source.Loads);
    }

    [Fact]
    public async Task Set_stores_without_loading_and_other_instances_stop_serving_the_old_value()
    {
        var source = new CountingSource();
        await Second.GetOrLoadAsync("carriers", "DHL", source.Load("old"));

        await First.SetAsync("carriers", "DHL", new Carrier("new"));

        Assert.Equal("new", (await First.GetOrLoadAsync("carriers", "DHL", source.Load("from the loader")))!.Name);
        Assert.Equal(1, source.Loads);
        await Eventually.TrueAsync(
            async () => (await Second.GetOrLoadAsync("carriers", "DHL", source.Load("new")))!.Name == "new",
            "the second instance stops serving the old value");
    }

    [Fact]
    public async Task Categories_with_a_separator_are_refused()
    {
        var source = new CountingSource();
        await Assert.ThrowsAsync<ArgumentException>(() => First.GetOrLoadAsync("a:b", "k", source.Load("v")));
        await Assert.ThrowsAsync<ArgumentException>(() => First.InvalidateCategoryAsync("a:b"));
        Assert.Equal(0, source.Loads);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _metricsServices.Dispose();
        DisposeCaches();
        GC.SuppressFinalize(this);
    }

    protected abstract void DisposeCaches();

    protected string[] LookupResults(string category)
    {
        lock (_lookups)
        {
            return _lookups.Where(lookup => lookup.Category == category).Select(lookup => lookup.Result).ToArray();
        }
    }

    public sealed record Carrier(string Name);

    protected sealed class CountingSource
    {
        private int _loads;

        public int Loads => Volatile.Read(ref _loads);

        public Func<CancellationToken, Task<Carrier?>> Load(string name) => _ =>
        {
            Interlocked.Increment(ref _loads);
            return Task.FromResult<Carrier?>(new Carrier(name));
        };

        public Func<CancellationToken, Task<Carrier?>> LoadNothing() => _ =>
        {
            Interlocked.Increment(ref _loads);
            return Task.FromResult<Carrier?>(null);
        };
    }
}
