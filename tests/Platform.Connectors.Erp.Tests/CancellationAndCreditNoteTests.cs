using Platform.Connectors.Erp.Tests.Infrastructure;
using Platform.Connectors.Testing;

namespace Platform.Connectors.Erp.Tests;

public sealed class CancellationAndCreditNoteTests
{
    [Fact]
    public async Task A_whole_order_cancellation_sends_no_lines()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", new FakeErp().RespondAsync);
        await using var harness = ErpHarness.Create(remote);

        var result = await harness.Client.CancelSalesOrderAsync(
            new ErpCancellation("SO-4712", "default:000000003:cancel:3", "customer request"));

        Assert.False(result.Replayed);
        var request = Assert.Single(remote.Requests);
        Assert.Equal("api/v1/sales-orders/SO-4712/cancellations", request.Path);
        Assert.Equal("default:000000003:cancel:3", request.Headers["Idempotency-Key"]);
        Assert.Equal("""{"reason":"customer request"}""", request.Body);
    }

    [Fact]
    public async Task A_partial_cancellation_lists_its_lines_and_a_replay_is_recognised()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", new FakeErp().RespondAsync);
        await using var harness = ErpHarness.Create(remote);
        var cancellation = new ErpCancellation("SO/2024/17", "default:000000003:cancel:4", "out of stock", [new ErpCancellationLine(2, "24-UG03", 1.000m)]);

        var first = await harness.Client.CancelSalesOrderAsync(cancellation);
        var again = await harness.Client.CancelSalesOrderAsync(cancellation);

        Assert.Equal((first.DocumentNumber, true), (again.DocumentNumber, again.Replayed));
        var request = remote.Requests.First();
        // A document number is one path segment even when it contains a slash.
        Assert.Equal("api/v1/sales-orders/SO%2F2024%2F17/cancellations", request.Path);
        Assert.Equal("""{"reason":"out of stock","lines":[{"lineNumber":2,"sku":"24-UG03","quantity":1}]}""", request.Body);
    }

    [Fact]
    public async Task A_credit_note_carries_its_memo_lines_amount_and_currency()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", new FakeErp().RespondAsync);
        await using var harness = ErpHarness.Create(remote);

        await harness.Client.CreateCreditNoteAsync(new ErpCreditNote(
            "SO-4712", "15", "default:000000003:creditmemo:15", [new ErpCreditNoteLine(1, "24-WG085", 1, 15.16m)], 15.16m, "usd"));

        var request = Assert.Single(remote.Requests);
        Assert.Equal("api/v1/credit-notes", request.Path);
        Assert.Equal("default:000000003:creditmemo:15", request.Headers["Idempotency-Key"]);
        Assert.Equal(
            """{"documentNumber":"SO-4712","creditMemoId":"15","lines":[{"lineNumber":1,"sku":"24-WG085","quantity":1,"amount":15.16}],"amount":15.16,"currency":"USD"}""",
            request.Body);
    }

    [Fact]
    public async Task Mapped_cancellations_and_credit_notes_follow_their_mapping()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", new FakeErp().RespondAsync);
        await using var harness = ErpHarness.Create(remote, Path.Combine("Mappings", "erp-mapping.v7.yaml"));

        await harness.Client.CancelSalesOrderAsync(new ErpCancellation("SO-1", "k1", "fraud", [new ErpCancellationLine(1, "24-WG085", 2)]));
        await harness.Client.CreateCreditNoteAsync(new ErpCreditNote("SO-1", "16", "k2", [new ErpCreditNoteLine(1, "24-wg085", 1, 14)], 14, "USD"));

        var bodies = remote.Requests.Select(r => r.Body).ToList();
        Assert.Equal("""{"cancelReason":"fraud","positions":[{"pos":1,"qty":2}]}""", bodies[0]);
        Assert.Equal("""{"invoiceRef":"SO-1","externalRef":"16","positions":[{"pos":1,"article":"WEB-24-WG085","qty":1,"amount":14}],"total":14,"curr":"usd"}""", bodies[1]);
    }

    [Fact]
    public async Task A_cancellation_of_an_unknown_document_is_permanent()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, _) => FakeRemote.WriteJsonAsync(context, 404,
            """{"type":"about:blank","title":"Not Found","status":404,"detail":"no sales order SO-404"}"""));
        await using var harness = ErpHarness.Create(remote);

        var rejection = await Assert.ThrowsAsync<ErpRejectedException>(() =>
            harness.Client.CancelSalesOrderAsync(new ErpCancellation("SO-404", "k", "customer request")));

        Assert.Equal(("no sales order SO-404", null), (rejection.Error, rejection.Sku));
        Assert.Equal(1, remote.Hits);
    }
}
