namespace Platform.State.Tests;

public sealed class InMemoryStateStoreTests : StateStoreConformance
{
    private readonly ManualTimeProvider _time = new();

    public InMemoryStateStoreTests()
    {
        Store = new InMemoryStateStore("test", _time);
    }

    protected override IStateStore Store { get; }

    protected override Task LetTimePassAsync(TimeSpan elapsed)
    {
        _time.Advance(elapsed);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Values_are_copied_so_a_caller_reusing_its_buffer_cannot_change_stored_state()
    {
        var buffer = "v1"u8.ToArray();
        await Store.SetAsync("k", buffer);

        buffer[1] = (byte)'9';

        Assert.Equal("v1"u8.ToArray(), (await Store.GetAsync("k"))!.Value.ToArray());
    }
}
