using System.Globalization;
using System.Text;

namespace Platform.State.Tests;

/// <summary>
/// What every <see cref="IStateStore"/> adapter must do. Each concrete subclass hands in a fresh, empty store per
/// test (xunit builds a new class instance per test), so no test sees another's data.
/// </summary>
public abstract class StateStoreConformance
{
    protected static readonly TimeSpan ShortTimeToLive = TimeSpan.FromMilliseconds(700);

    protected abstract IStateStore Store { get; }

    /// <summary>Moves the store's clock: a fake clock in memory, real waiting against Redis.</summary>
    protected abstract Task LetTimePassAsync(TimeSpan elapsed);

    [Fact]
    public async Task Set_then_get_returns_the_value_and_the_etag_of_the_write()
    {
        var etag = await Store.SetAsync("sku:A-1", Bytes("on-hand=5"));

        var item = await Store.GetAsync("sku:A-1");

        Assert.NotNull(item);
        Assert.Equal("sku:A-1", item.Key);
        Assert.Equal("on-hand=5", Text(item.Value));
        Assert.Equal(etag, item.ETag);
        Assert.False(string.IsNullOrEmpty(etag));
    }

    [Fact]
    public async Task Empty_and_binary_values_round_trip_unchanged()
    {
        byte[] binary = [0, 255, 1, 0, 128, 13, 10];
        await Store.SetAsync("binary", binary);
        await Store.SetAsync("empty", ReadOnlyMemory<byte>.Empty);

        Assert.Equal(binary, (await Store.GetAsync("binary"))!.Value.ToArray());
        var empty = await Store.GetAsync("empty");
        Assert.NotNull(empty);
        Assert.Equal(0, empty.Value.Length);
    }

    [Fact]
    public async Task Get_of_a_missing_key_returns_null()
    {
        Assert.Null(await Store.GetAsync("never-written"));
    }

    [Fact]
    public async Task Delete_removes_the_key_and_reports_whether_it_existed()
    {
        await Store.SetAsync("order:1", Bytes("placed"));

        Assert.True(await Store.DeleteAsync("order:1"));
        Assert.Null(await Store.GetAsync("order:1"));
        Assert.False(await Store.DeleteAsync("order:1"));
    }

    [Fact]
    public async Task GetMany_returns_present_keys_and_leaves_absent_ones_out()
    {
        var etagA = await Store.SetAsync("a", Bytes("1"));
        var etagB = await Store.SetAsync("b", Bytes("2"));

        var found = await Store.GetManyAsync(["a", "missing", "b"]);

        Assert.Equal(2, found.Count);
        Assert.Equal(("1", etagA), (Text(found["a"].Value), found["a"].ETag));
        Assert.Equal(("2", etagB), (Text(found["b"].Value), found["b"].ETag));
        Assert.Empty(await Store.GetManyAsync([]));
    }

    [Fact]
    public async Task Every_write_gets_a_new_etag_even_with_the_same_value()
    {
        var first = await Store.SetAsync("k", Bytes("same"));
        var second = await Store.SetAsync("k", Bytes("same"));

        Assert.NotEqual(first, second);
        Assert.Equal(second, (await Store.GetAsync("k"))!.ETag);
    }

    [Fact]
    public async Task A_write_with_the_current_etag_succeeds()
    {
        var etag = await Store.SetAsync("k", Bytes("v1"));

        var next = await Store.SetAsync("k", Bytes("v2"), StateCondition.Match(etag));

        Assert.NotEqual(etag, next);
        Assert.Equal("v2", Text((await Store.GetAsync("k"))!.Value));
    }

    [Fact]
    public async Task A_stale_etag_is_refused_naming_the_key_and_nothing_changes()
    {
        var stale = await Store.SetAsync("stock:SKU-1", Bytes("v1"));
        var current = await Store.SetAsync("stock:SKU-1", Bytes("v2"));

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store.SetAsync("stock:SKU-1", Bytes("v3"), StateCondition.Match(stale)));

        Assert.Equal("stock:SKU-1", conflict.Key);
        Assert.Equal(StateConditionKind.Match, conflict.Condition.Kind);
        Assert.Contains("stock:SKU-1", conflict.Message, StringComparison.Ordinal);
        var item = await Store.GetAsync("stock:SKU-1");
        Assert.Equal(("v2", current), (Text(item!.Value), item.ETag));
    }

    [Fact]
    public async Task A_delete_with_a_stale_etag_is_refused_and_the_key_stays()
    {
        var stale = await Store.SetAsync("k", Bytes("v1"));
        await Store.SetAsync("k", Bytes("v2"));

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.DeleteAsync("k", StateCondition.Match(stale)));

        Assert.Equal("k", conflict.Key);
        Assert.Equal("v2", Text((await Store.GetAsync("k"))!.Value));
    }

    [Fact]
    public async Task MustNotExist_creates_once_and_refuses_when_the_key_exists()
    {
        var etag = await Store.SetAsync("customer:7", Bytes("first"), StateCondition.MustNotExist);

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store.SetAsync("customer:7", Bytes("second"), StateCondition.MustNotExist));

        Assert.Equal("customer:7", conflict.Key);
        Assert.Equal(StateConditionKind.MustNotExist, conflict.Condition.Kind);
        var item = await Store.GetAsync("customer:7");
        Assert.Equal(("first", etag), (Text(item!.Value), item.ETag));
    }

    [Fact]
    public async Task Exists_refuses_a_missing_key_and_allows_an_existing_one()
    {
        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store.SetAsync("k", Bytes("v"), StateCondition.Exists));
        Assert.Equal("k", conflict.Key);
        Assert.Null(await Store.GetAsync("k"));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.DeleteAsync("k", StateCondition.Exists));

        await Store.SetAsync("k", Bytes("v1"));
        await Store.SetAsync("k", Bytes("v2"), StateCondition.Exists);
        Assert.Equal("v2", Text((await Store.GetAsync("k"))!.Value));
        Assert.True(await Store.DeleteAsync("k", StateCondition.Exists));
    }

    [Fact]
    public async Task A_key_deleted_and_written_again_never_gets_an_old_etag_back()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var round = 0; round < 5; round++)
        {
            var etag = await Store.SetAsync("recycled", Bytes("same value"), StateCondition.MustNotExist);
            Assert.True(seen.Add(etag), $"ETag {etag} was handed out twice");
            Assert.True(await Store.DeleteAsync("recycled"));
        }

        var old = seen.First();
        await Store.SetAsync("recycled", Bytes("same value"));
        await Assert.ThrowsAsync<ConcurrencyConflictException>(
            () => Store.SetAsync("recycled", Bytes("overwrite"), StateCondition.Match(old)));
    }

    [Fact]
    public async Task A_key_with_a_time_to_live_disappears_after_it()
    {
        await Store.SetAsync("session", Bytes("v"), timeToLive: ShortTimeToLive);
        await Store.SetAsync("durable", Bytes("v"));
        Assert.NotNull(await Store.GetAsync("session"));

        await LetTimePassAsync(ShortTimeToLive * 2);

        Assert.Null(await Store.GetAsync("session"));
        Assert.Empty(await Store.GetManyAsync(["session"]));
        Assert.NotNull(await Store.GetAsync("durable"));
        Assert.False(await Store.DeleteAsync("session"));
        await Store.SetAsync("session", Bytes("again"), StateCondition.MustNotExist);
    }

    [Fact]
    public async Task Rewriting_a_key_without_a_time_to_live_makes_it_durable()
    {
        await Store.SetAsync("k", Bytes("temporary"), timeToLive: ShortTimeToLive);
        await Store.SetAsync("k", Bytes("durable"));

        await LetTimePassAsync(ShortTimeToLive * 2);

        Assert.Equal("durable", Text((await Store.GetAsync("k"))!.Value));
    }

    [Fact]
    public async Task A_committed_transaction_writes_state_index_and_outbox_together()
    {
        var parentETag = await Store.SetAsync("order:9", Bytes("placed"));
        await Store.SetAsync("obsolete", Bytes("x"));
        var transaction = new StateTransaction()
            .Check("order:9", StateCondition.Match(parentETag))
            .Set("order:9:line:1", Bytes("qty=2"), StateCondition.MustNotExist)
            .Set("order:9:line:2", Bytes("qty=1"))
            .Delete("obsolete", StateCondition.Exists)
            .AddToIndex("orders-by-time", "order:9", 1700000000)
            .Enqueue(Outbox("e-1", "order.orders.v1", "order:9"))
            .Enqueue(Outbox("e-2", "order.orders.v1", "order:9"));

        var written = await Store.CommitAsync(transaction);

        Assert.Equal(["order:9:line:1", "order:9:line:2"], written.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(written["order:9:line:1"], (await Store.GetAsync("order:9:line:1"))!.ETag);
        Assert.Equal(written["order:9:line:2"], (await Store.GetAsync("order:9:line:2"))!.ETag);
        Assert.Null(await Store.GetAsync("obsolete"));
        Assert.Equal(parentETag, (await Store.GetAsync("order:9"))!.ETag);
        Assert.Equal([new IndexEntry("order:9", 1700000000)], await Store.ReadIndexAsync("orders-by-time"));
        Assert.Equal(["e-1", "e-2"], (await Store.ReadOutboxAsync(10)).Select(entry => entry.Id));
    }

    [Fact]
    public async Task A_stale_condition_on_the_last_operation_leaves_state_index_and_outbox_untouched()
    {
        var etagA = await Store.SetAsync("A", Bytes("a0"));
        var staleC = await Store.SetAsync("C", Bytes("c0"));
        var currentC = await Store.SetAsync("C", Bytes("c1"));
        await Store.CommitAsync(new StateTransaction()
            .AddToIndex("idx", "existing", 1)
            .Enqueue(Outbox("already-pending", "t", "k")));

        var transaction = new StateTransaction()
            .Set("A", Bytes("a1"), StateCondition.Match(etagA))
            .Set("B", Bytes("b1"), StateCondition.MustNotExist)
            .AddToIndex("idx", "new-member", 0.5)
            .RemoveFromIndex("idx", "existing")
            .Delete("D")
            .Enqueue(Outbox("new-1", "t", "A"))
            .Enqueue(Outbox("new-2", "t", "B"))
            .Set("C", Bytes("c2"), StateCondition.Match(staleC));

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.CommitAsync(transaction));

        Assert.Equal("C", conflict.Key);
        var a = await Store.GetAsync("A");
        Assert.Equal(("a0", etagA), (Text(a!.Value), a.ETag));
        Assert.Null(await Store.GetAsync("B"));
        Assert.Equal(currentC, (await Store.GetAsync("C"))!.ETag);
        Assert.Equal([new IndexEntry("existing", 1)], await Store.ReadIndexAsync("idx"));
        Assert.Equal(1, await Store.CountIndexAsync("idx"));
        Assert.Equal(["already-pending"], (await Store.ReadOutboxAsync(10)).Select(entry => entry.Id));
        Assert.Equal(1, await Store.CountOutboxAsync());
    }

    [Fact]
    public async Task A_failed_check_on_a_key_the_transaction_does_not_write_aborts_it()
    {
        var staleParent = await Store.SetAsync("parent", Bytes("v1"));
        await Store.SetAsync("parent", Bytes("v2"));

        var conflict = await Assert.ThrowsAsync<ConcurrencyConflictException>(() => Store.CommitAsync(new StateTransaction()
            .Set("child", Bytes("c"))
            .Check("parent", StateCondition.Match(staleParent))));

        Assert.Equal("parent", conflict.Key);
        Assert.Null(await Store.GetAsync("child"));
    }

    [Fact]
    public async Task Conditions_are_checked_against_the_state_before_the_transaction()
    {
        var etag = await Store.SetAsync("k", Bytes("v1"));

        // The second condition still sees the ETag from before the first write, as the port promises.
        var written = await Store.CommitAsync(new StateTransaction()
            .Set("k", Bytes("v2"), StateCondition.Match(etag))
            .Check("k", StateCondition.Match(etag)));

        Assert.Equal(written["k"], (await Store.GetAsync("k"))!.ETag);
    }

    [Fact]
    public async Task The_outbox_is_read_in_commit_order_acknowledged_by_id_and_counted()
    {
        await Store.CommitAsync(new StateTransaction().Set("x", Bytes("1")).Enqueue(Outbox("e1", "t", "x")).Enqueue(Outbox("e2", "t", "x")));
        await Store.CommitAsync(new StateTransaction().Enqueue(Outbox("e3", "u", "y")));
        await Store.CommitAsync(new StateTransaction().Set("x", Bytes("2")).Enqueue(Outbox("e4", "t", "x")).Enqueue(Outbox("e5", "t", "x")));
        Assert.Equal(5, await Store.CountOutboxAsync());

        var firstThree = await Store.ReadOutboxAsync(3);
        Assert.Equal(["e1", "e2", "e3"], firstThree.Select(entry => entry.Id));
        Assert.Equal(5, await Store.CountOutboxAsync());

        await Store.AcknowledgeOutboxAsync(["e1", "e2", "not-pending"]);

        Assert.Equal(3, await Store.CountOutboxAsync());
        Assert.Equal(["e3", "e4", "e5"], (await Store.ReadOutboxAsync(10)).Select(entry => entry.Id));
        Assert.Empty(await Store.ReadOutboxAsync(0));

        await Store.AcknowledgeOutboxAsync(["e4", "e3", "e5"]);
        Assert.Equal(0, await Store.CountOutboxAsync());
        Assert.Empty(await Store.ReadOutboxAsync(10));
    }

    [Fact]
    public async Task An_outbox_entry_keeps_topic_key_headers_and_payload()
    {
        var headers = new Dictionary<string, string>
        {
            ["ce_id"] = "e-42",
            ["ce_type"] = "platform.order.v1.OrderPlaced",
            ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ["empty"] = "",
        };
        byte[] payload = [8, 150, 1, 0, 255];
        await Store.CommitAsync(new StateTransaction().Enqueue(new OutboxEntry("e-42", "order.orders.v1", "order-42", headers, payload)));

        var entry = Assert.Single(await Store.ReadOutboxAsync(10));

        Assert.Equal(("e-42", "order.orders.v1", "order-42"), (entry.Id, entry.Topic, entry.Key));
        Assert.Equal(headers.OrderBy(pair => pair.Key), entry.Headers.OrderBy(pair => pair.Key));
        Assert.Equal(payload, entry.Payload.ToArray());
    }

    [Fact]
    public async Task An_outbox_id_that_is_still_pending_is_refused_and_nothing_is_written()
    {
        await Store.CommitAsync(new StateTransaction().Enqueue(Outbox("e1", "t", "k")));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.CommitAsync(new StateTransaction()
            .Set("k", Bytes("v"))
            .Enqueue(Outbox("e2", "t", "k"))
            .Enqueue(Outbox("e1", "t", "k"))));

        Assert.Null(await Store.GetAsync("k"));
        Assert.Equal(["e1"], (await Store.ReadOutboxAsync(10)).Select(entry => entry.Id));

        await Store.AcknowledgeOutboxAsync(["e1"]);
        await Store.CommitAsync(new StateTransaction().Enqueue(Outbox("e1", "t", "k")));
        Assert.Equal(1, await Store.CountOutboxAsync());
    }

    [Fact]
    public async Task An_index_is_ordered_by_score_then_member_and_pages()
    {
        await Store.CommitAsync(new StateTransaction()
            .AddToIndex("due", "c", 30)
            .AddToIndex("due", "a", 10)
            .AddToIndex("due", "z", 20)
            .AddToIndex("due", "b", 20)
            .AddToIndex("due", "neg", -5.25)
            .AddToIndex("due", "big", 1e300));

        Assert.Equal(
            [new IndexEntry("neg", -5.25), new IndexEntry("a", 10), new IndexEntry("b", 20), new IndexEntry("z", 20), new IndexEntry("c", 30), new IndexEntry("big", 1e300)],
            await Store.ReadIndexAsync("due"));
        Assert.Equal(["b", "z"], (await Store.ReadIndexAsync("due", skip: 2, take: 2)).Select(entry => entry.Member));
        Assert.Empty(await Store.ReadIndexAsync("due", skip: 6));
        Assert.Empty(await Store.ReadIndexAsync("due", take: 0));
        Assert.Equal(6, await Store.CountIndexAsync("due"));
        Assert.Empty(await Store.ReadIndexAsync("no-such-index"));
        Assert.Equal(0, await Store.CountIndexAsync("no-such-index"));
    }

    [Fact]
    public async Task Adding_a_member_again_moves_it_and_removing_it_drops_it()
    {
        await Store.CommitAsync(new StateTransaction().AddToIndex("idx", "m1", 1).AddToIndex("idx", "m2", 2).AddToIndex("idx", "m3", 3));

        await Store.CommitAsync(new StateTransaction().AddToIndex("idx", "m1", 4).RemoveFromIndex("idx", "m2").RemoveFromIndex("idx", "never-added"));

        Assert.Equal([new IndexEntry("m3", 3), new IndexEntry("m1", 4)], await Store.ReadIndexAsync("idx"));
        Assert.Equal(2, await Store.CountIndexAsync("idx"));

        await Store.CommitAsync(new StateTransaction().RemoveFromIndex("idx", "m1").RemoveFromIndex("idx", "m3"));
        Assert.Equal(0, await Store.CountIndexAsync("idx"));
    }

    [Fact]
    public async Task Invalid_transactions_are_refused_before_anything_is_written()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.CommitAsync(new StateTransaction()
            .Set("k", Bytes("v"))
            .AddToIndex("idx", "m", double.NaN)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.SetAsync("k", Bytes("v"), timeToLive: TimeSpan.Zero));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.CommitAsync(new StateTransaction()
            .Set("k", Bytes("v"))
            .Enqueue(Outbox("twice", "t", "k"))
            .Enqueue(Outbox("twice", "t", "k"))));

        Assert.Null(await Store.GetAsync("k"));
        Assert.Equal(0, await Store.CountIndexAsync("idx"));
        Assert.Equal(0, await Store.CountOutboxAsync());
    }

    [Fact]
    public async Task Concurrent_optimistic_increments_lose_no_update()
    {
        const int workers = 8;
        const int incrementsEach = 25;
        await Store.SetAsync("counter", Bytes("0"));

        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (var done = 0; done < incrementsEach;)
            {
                var seen = (await Store.GetAsync("counter"))!;
                var next = int.Parse(Text(seen.Value), CultureInfo.InvariantCulture) + 1;
                try
                {
                    await Store.SetAsync("counter", Bytes(next.ToString(CultureInfo.InvariantCulture)), StateCondition.Match(seen.ETag));
                    done++;
                }
                catch (ConcurrencyConflictException)
                {
                    // Another worker won this round: read again and retry, as real callers do.
                }
            }
        })));

        Assert.Equal((workers * incrementsEach).ToString(CultureInfo.InvariantCulture), Text((await Store.GetAsync("counter"))!.Value));
    }

    [Fact]
    public async Task A_lease_is_exclusive_renewable_and_released_only_by_its_owner()
    {
        var duration = TimeSpan.FromSeconds(30);
        Assert.True(await Store.TryAcquireLeaseAsync("outbox-relay", "pod-a", duration));
        Assert.False(await Store.TryAcquireLeaseAsync("outbox-relay", "pod-b", duration));
        Assert.True(await Store.TryAcquireLeaseAsync("outbox-relay", "pod-a", duration));
        Assert.True(await Store.TryAcquireLeaseAsync("other-lease", "pod-b", duration));

        await Store.ReleaseLeaseAsync("outbox-relay", "pod-b");
        Assert.False(await Store.TryAcquireLeaseAsync("outbox-relay", "pod-b", duration));

        await Store.ReleaseLeaseAsync("outbox-relay", "pod-a");
        Assert.True(await Store.TryAcquireLeaseAsync("outbox-relay", "pod-b", duration));
        Assert.False(await Store.TryAcquireLeaseAsync("outbox-relay", "pod-a", duration));
    }

    [Fact]
    public async Task A_lease_expires_unless_renewed()
    {
        Assert.True(await Store.TryAcquireLeaseAsync("renewed", "pod-a", ShortTimeToLive));
        Assert.True(await Store.TryAcquireLeaseAsync("lapsed", "pod-a", ShortTimeToLive));

        await LetTimePassAsync(ShortTimeToLive / 2);
        Assert.True(await Store.TryAcquireLeaseAsync("renewed", "pod-a", ShortTimeToLive * 4));
        await LetTimePassAsync(ShortTimeToLive);

        Assert.False(await Store.TryAcquireLeaseAsync("renewed", "pod-b", ShortTimeToLive));
        Assert.True(await Store.TryAcquireLeaseAsync("lapsed", "pod-b", ShortTimeToLive));
    }

    protected static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    protected static OutboxEntry Outbox(string id, string topic, string key) =>
        new(id, topic, key, new Dictionary<string, string> { ["ce_id"] = id }, Encoding.UTF8.GetBytes("payload of " + id));
}
