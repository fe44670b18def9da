using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Platform.Sandbox.Tests;

public sealed class ErpSalesOrderTests
{
    private static readonly HttpMethod Post = HttpMethod.Post;
    private static readonly HttpMethod Get = HttpMethod.Get;

    /// <summary>A valid sales order: one line, 19 % tax, 5 shipping.</summary>
    private static object Order(
        string reference, int revision = 1, string sku = "24-MB01", decimal quantity = 2, decimal unitPrice = 34, string store = "default",
        string orderDate = "2026-11-22T09:00:00Z", string? customerCode = null, decimal? grandTotalOverride = null)
    {
        var subtotal = quantity * unitPrice;
        var tax = Math.Round(subtotal * 0.19m, 2, MidpointRounding.AwayFromZero);
        return new
        {
            orderReference = reference,
            store,
            orderNumber = "100-" + reference,
            revision,
            orderDate,
            currency = "EUR",
            customerCode,
            guest = customerCode is null,
            shipTo = new { country = "DE", region = "BER" },
            lines = new[] { new { sku, description = "item", quantity, unitPrice, discount = 0m, tax } },
            totals = new { subtotal, discount = 0m, shipping = 5m, tax, grandTotal = grandTotalOverride ?? subtotal + 5m + tax },
        };
    }

    private static long Count(SandboxHost sandbox, string counter, string? item = null) => sandbox.Services.GetCounters().Get(counter, item);

    [Fact]
    public async Task A_write_without_an_idempotency_key_is_refused_with_400()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var (status, problem) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", idempotencyKey: null, Order("ord-1"));
        var (cancelStatus, _) = await sandbox.ErpAsync(Post, "api/v1/sales-orders/SO-000001/cancellations", idempotencyKey: null, new { });
        var (creditStatus, _) = await sandbox.ErpAsync(Post, "api/v1/credit-notes", idempotencyKey: null, new { });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("IDEMPOTENCY_KEY_MISSING", problem.Text("code"));
        Assert.Equal(HttpStatusCode.BadRequest, cancelStatus);
        Assert.Equal(HttpStatusCode.BadRequest, creditStatus);
        Assert.Equal(0, Count(sandbox, "erp.orders.created"));
    }

    [Fact]
    public async Task The_same_key_again_returns_200_with_the_same_document_and_creates_nothing()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        using var first = await sandbox.ErpSendAsync(Post, "api/v1/sales-orders", "key-ord-1-r1", Order("ord-1"));
        using var again = await sandbox.ErpSendAsync(Post, "api/v1/sales-orders", "key-ord-1-r1", Order("ord-1"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var created = await first.Content.ReadFromJsonAsync<JsonElement>();
        var replayed = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("SO-", created.Text("documentNumber"), StringComparison.Ordinal);
        Assert.Equal(created.Text("documentNumber"), replayed.Text("documentNumber"));
        Assert.Equal("/erp/api/v1/sales-orders/" + created.Text("documentNumber"), first.Headers.Location?.OriginalString);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(2, Count(sandbox, "erp.orders.received", "ord-1"));
        Assert.Equal(1, Count(sandbox, "erp.orders.created", "ord-1"));
        Assert.Equal(1, Count(sandbox, "erp.orders.duplicates_refused", "ord-1"));
        var (_, listing) = await sandbox.ErpAsync(Get, "api/v1/sales-orders?orderReference=ord-1");
        Assert.Equal(1, listing.GetProperty("totalCount").GetInt32());
    }

    [Fact]
    public async Task Concurrent_retries_with_one_key_book_the_order_exactly_once()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => sandbox.ErpAsync(Post, "api/v1/sales-orders", "same-key", Order("ord-race"))));

        Assert.Single(answers, answer => answer.Status == HttpStatusCode.Created);
        Assert.Equal(19, answers.Count(answer => answer.Status == HttpStatusCode.OK));
        Assert.Single(answers.Select(answer => answer.Body.Text("documentNumber")).Distinct());
        Assert.Equal(1, Count(sandbox, "erp.orders.created", "ord-race"));
        Assert.Equal(19, Count(sandbox, "erp.orders.duplicates_refused", "ord-race"));
    }

    [Fact]
    public async Task A_new_key_with_a_higher_revision_revises_the_same_document_and_keeps_every_revision()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var (_, first) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-2:r1", Order("ord-2"));

        var (status, revised) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-2:r2", Order("ord-2", revision: 2, quantity: 3));

        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal(first.Text("documentNumber"), revised.Text("documentNumber"));
        Assert.Equal(2, revised.GetProperty("revision").GetInt32());
        var (_, document) = await sandbox.ErpAsync(Get, "api/v1/sales-orders/" + first.Text("documentNumber"));
        Assert.Equal(2, document.GetProperty("revision").GetInt32());
        Assert.Equal(3m, document.GetProperty("lines")[0].Decimal("quantity"));
        Assert.Equal(102m + 5m + 19.38m, document.GetProperty("totals").Decimal("grandTotal"));
        Assert.Equal([1, 2], document.GetProperty("revisions").EnumerateArray().Select(revision => revision.GetProperty("revision").GetInt32()));
        Assert.Equal(1, Count(sandbox, "erp.orders.created", "ord-2"));
        Assert.Equal(1, Count(sandbox, "erp.orders.revisions", "ord-2"));
    }

    [Fact]
    public async Task A_new_key_for_a_revision_already_booked_or_an_older_one_is_a_conflict()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-3:r1", Order("ord-3"));
        await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-3:r2", Order("ord-3", revision: 2));

        var (sameStatus, same) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-3:r2:again", Order("ord-3", revision: 2));
        var (olderStatus, older) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-3:r1:late", Order("ord-3", revision: 1));

        Assert.Equal(HttpStatusCode.Conflict, sameStatus);
        Assert.Equal("REVISION_EXISTS", same.Text("code"));
        Assert.Equal(HttpStatusCode.Conflict, olderStatus);
        Assert.Equal("STALE_REVISION", older.Text("code"));
        Assert.Equal(2, older.GetProperty("currentRevision").GetInt32());
        Assert.Equal(2, Count(sandbox, "erp.orders.conflicts", "ord-3"));
        Assert.Equal(1, Count(sandbox, "erp.orders.revisions", "ord-3"));
    }

    [Fact]
    public async Task A_key_sent_again_with_another_request_is_refused()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.ErpAsync(Post, "api/v1/sales-orders", "shared-key", Order("ord-4"));

        var (status, problem) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "shared-key", Order("ord-5"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("IDEMPOTENCY_KEY_REUSED", problem.Text("code"));
        Assert.Equal(0, Count(sandbox, "erp.orders.created", "ord-5"));
    }

    [Fact]
    public async Task A_sku_the_erp_does_not_know_gets_422_naming_it_and_is_not_remembered_under_the_key()
    {
        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:Erp:RejectedSkus:0"] = "DISCONTINUED-1" });

        var (status, problem) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-6:r1", Order("ord-6", sku: "DISCONTINUED-1"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("UNKNOWN_SKU", problem.Text("code"));
        Assert.Equal("DISCONTINUED-1", problem.Text("sku"));
        Assert.Contains("'DISCONTINUED-1'", problem.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(1, Count(sandbox, "erp.orders.rejected", "ord-6"));
        Assert.Equal(0, Count(sandbox, "erp.orders.created"));

        using (var put = await sandbox.Client.PutAsJsonAsync("_sandbox/erp/skus", new { rejectedSkus = Array.Empty<string>() }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        var (retried, _) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-6:r1", Order("ord-6", sku: "DISCONTINUED-1"));
        Assert.Equal(HttpStatusCode.Created, retried);
    }

    [Fact]
    public async Task A_known_sku_pattern_rejects_every_sku_outside_it()
    {
        await using var sandbox = await SandboxHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:Erp:KnownSkuPattern"] = "24-[A-Z]+[0-9]+" });

        var (known, _) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "k1", Order("ord-7", sku: "24-MB01"));
        var (unknown, problem) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "k2", Order("ord-8", sku: "MH01-M-Black"));
        using var bad = await sandbox.Client.PutAsJsonAsync("_sandbox/erp/skus", new { knownSkuPattern = "([" });
        var settings = await sandbox.Client.GetFromJsonAsync<JsonElement>("_sandbox/erp/skus");

        Assert.Equal(HttpStatusCode.Created, known);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown);
        Assert.Equal("MH01-M-Black", problem.Text("sku"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("24-[A-Z]+[0-9]+", settings.Text("knownSkuPattern"));
        await Assert.ThrowsAnyAsync<Exception>(() => SandboxHost.StartAsync(new Dictionary<string, string?> { ["Sandbox:Erp:KnownSkuPattern"] = "([" }));
    }

    [Theory]
    [InlineData("""{"store":"default","orderNumber":"1","revision":1,"orderDate":"2026-11-22T09:00:00Z","currency":"EUR","guest":true,"shipTo":{"country":"DE"},"lines":[{"sku":"A","quantity":1,"unitPrice":1}],"totals":{"subtotal":1,"discount":0,"shipping":0,"tax":0,"grandTotal":1}}""", "orderReference")]
    [InlineData("""{"orderReference":"o","store":"default","orderNumber":"1","revision":1,"orderDate":"2026-11-22T09:00:00Z","currency":"EUR","guest":true,"shipTo":{"country":"DE"},"lines":[{"sku":"A","quantity":1,"unitPrice":1,"discount":0.5}],"totals":{"subtotal":1,"discount":-0.5,"shipping":0,"tax":0,"grandTotal":0.5}}""", "totals.discount")]
    [InlineData("""{"orderReference":"o","store":"default","orderNumber":"1","revision":1,"orderDate":"2026-11-22T09:00:00Z","currency":"EUR","guest":true,"customerCode":"C1","shipTo":{"country":"DE"},"lines":[{"sku":"A","quantity":1,"unitPrice":1}],"totals":{"subtotal":1,"discount":0,"shipping":0,"tax":0,"grandTotal":1}}""", "customerCode")]
    [InlineData("""{"orderReference":"o","store":"default","orderNumber":"1","revision":0,"orderDate":"2026-11-22T09:00:00Z","currency":"EUR","guest":true,"shipTo":{"country":"DE"},"lines":[{"sku":"A","quantity":1,"unitPrice":1}],"totals":{"subtotal":1,"discount":0,"shipping":0,"tax":0,"grandTotal":1}}""", "revision")]
    [InlineData("""{"orderReference":"o","store":"default","orderNumber":"1","revision":1,"orderDate":"2026-11-22T09:00:00Z","currency":"EUR","guest":true,"shipTo":{"country":"DE"},"lines":[],"totals":{"subtotal":0,"discount":0,"shipping":0,"tax":0,"grandTotal":0}}""", "lines")]
    [InlineData("""{"orderReference":"o","store":"default","orderNumber":"1","revision":1,"orderDate":"2026-11-22T09:00:00Z","currency":"EUR","guest":true,"shipTo":{"country":"DE"},"lines":[{"sku":"A","qty":1,"unitPrice":1}],"totals":{"subtotal":1,"discount":0,"shipping":0,"tax":0,"grandTotal":1}}""", "qty")]
    public async Task An_invalid_sales_order_gets_400_naming_the_field(string json, string field)
    {
        await using var sandbox = await SandboxHost.StartAsync();
        using var request = new HttpRequestMessage(Post, "erp/api/v1/sales-orders") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Api-Key", SandboxHost.ErpKey);
        request.Headers.Add("Idempotency-Key", "k");

        using var response = await sandbox.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, Count(sandbox, "erp.orders.created"));
    }

    [Fact]
    public async Task Totals_that_do_not_add_up_get_422()
    {
        await using var sandbox = await SandboxHost.StartAsync();

        var (status, problem) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "k", Order("ord-9", grandTotalOverride: 1000));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("TOTALS_MISMATCH", problem.Text("code"));
        Assert.Equal(1, Count(sandbox, "erp.orders.rejected", "ord-9"));
    }

    [Fact]
    public async Task A_cancellation_is_idempotent_and_a_second_one_under_another_key_is_a_conflict()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var (_, order) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-10:r1", Order("ord-10"));
        var path = $"api/v1/sales-orders/{order.Text("documentNumber")}/cancellations";

        var (first, cancellation) = await sandbox.ErpAsync(Post, path, "ord-10:cancel", new { reason = "customer request" });
        var (again, replayed) = await sandbox.ErpAsync(Post, path, "ord-10:cancel", new { reason = "customer request" });
        var (other, conflict) = await sandbox.ErpAsync(Post, path, "ord-10:cancel:other", new { reason = "customer request" });
        var (revise, revision) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-10:r2", Order("ord-10", revision: 2));
        var (missing, _) = await sandbox.ErpAsync(Post, "api/v1/sales-orders/SO-999999/cancellations", "x", new { });

        Assert.Equal(HttpStatusCode.Created, first);
        Assert.Equal("cancelled", cancellation.Text("status"));
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal(cancellation.Text("cancellationNumber"), replayed.Text("cancellationNumber"));
        Assert.Equal(HttpStatusCode.Conflict, other);
        Assert.Equal("ALREADY_CANCELLED", conflict.Text("code"));
        Assert.Equal(HttpStatusCode.Conflict, revise);
        Assert.Equal("DOCUMENT_CANCELLED", revision.Text("code"));
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal(1, Count(sandbox, "erp.cancellations", "ord-10"));
        Assert.Equal(1, Count(sandbox, "erp.cancellations.duplicates_refused", "ord-10"));
        var (_, document) = await sandbox.ErpAsync(Get, "api/v1/sales-orders/" + order.Text("documentNumber"));
        Assert.Equal("cancelled", document.Text("status"));
    }

    [Fact]
    public async Task Credit_notes_are_idempotent_and_cannot_credit_more_than_was_ordered()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        // 2 × 34 = 68, tax 12.92, shipping 5: 85.92.
        var (_, order) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-11:r1", Order("ord-11"));
        var document = order.Text("documentNumber");
        var oneUnit = new
        {
            documentNumber = document, creditMemoId = "default:creditmemo:1", currency = "EUR",
            lines = new[] { new { lineNumber = 1, sku = "24-MB01", quantity = 1m, amount = 40.46m } },
            shipping = 0m, adjustment = 0m, amount = 40.46m,
        };

        var (first, credit) = await sandbox.ErpAsync(Post, "api/v1/credit-notes", "ord-11:cm1", oneUnit);
        var (again, replayed) = await sandbox.ErpAsync(Post, "api/v1/credit-notes", "ord-11:cm1", oneUnit);
        var (_, partly) = await sandbox.ErpAsync(Get, "api/v1/sales-orders/" + document);
        var (tooManyUnits, quantityProblem) = await sandbox.ErpAsync(Post, "api/v1/credit-notes", "ord-11:cm2",
            oneUnit with { lines = new[] { new { lineNumber = 1, sku = "24-MB01", quantity = 2m, amount = 80.92m } }, amount = 80.92m });
        var (tooMuchMoney, moneyProblem) = await sandbox.ErpAsync(Post, "api/v1/credit-notes", "ord-11:cm3",
            oneUnit with { shipping = 5m, adjustment = 50m, amount = 95.46m });
        var (wrongSum, sumProblem) = await sandbox.ErpAsync(Post, "api/v1/credit-notes", "ord-11:cm7", oneUnit with { amount = 41m });
        var (wrongCurrency, currencyProblem) = await sandbox.ErpAsync(Post, "api/v1/credit-notes", "ord-11:cm4", oneUnit with { currency = "USD" });
        var (noDocument, documentProblem) = await sandbox.ErpAsync(Post, "api/v1/credit-notes", "ord-11:cm5", oneUnit with { documentNumber = "SO-999999" });
        var (rest, _) = await sandbox.ErpAsync(Post, "api/v1/credit-notes", "ord-11:cm6", oneUnit with { shipping = 5m, amount = 45.46m });
        var (_, credited) = await sandbox.ErpAsync(Get, "api/v1/sales-orders/" + document);

        Assert.Equal(HttpStatusCode.Created, first);
        Assert.StartsWith("CN-", credit.Text("creditNoteNumber"), StringComparison.Ordinal);
        Assert.Equal(document, credit.Text("documentNumber"));
        Assert.Equal("default:creditmemo:1", credit.Text("creditMemoId"));
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal(credit.Text("creditNoteNumber"), replayed.Text("creditNoteNumber"));
        Assert.Equal("partially_credited", partly.Text("status"));
        Assert.Equal(40.46m, partly.Decimal("creditedTotal"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooManyUnits);
        Assert.Equal("QUANTITY_EXCEEDS_ORDER", quantityProblem.Text("code"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMuchMoney);
        Assert.Equal("CREDIT_EXCEEDS_ORDER", moneyProblem.Text("code"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongSum);
        Assert.Equal("TOTALS_MISMATCH", sumProblem.Text("code"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrongCurrency);
        Assert.Equal("CURRENCY_MISMATCH", currencyProblem.Text("code"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noDocument);
        Assert.Equal("UNKNOWN_DOCUMENT", documentProblem.Text("code"));
        Assert.Equal(HttpStatusCode.Created, rest);
        Assert.Equal("credited", credited.Text("status"));
        Assert.Equal(85.92m, credited.Decimal("creditedTotal"));
        Assert.Equal(2, credited.GetProperty("creditNotes").GetArrayLength());
        Assert.Equal(2, Count(sandbox, "erp.credit_notes", "ord-11"));
        Assert.Equal(1, Count(sandbox, "erp.credit_notes.duplicates_refused", "ord-11"));
    }

    [Fact]
    public async Task Partial_cancellations_cancel_quantities_until_nothing_is_left_open()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        var (_, order) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-14:r1", Order("ord-14", quantity: 3));
        var path = $"api/v1/sales-orders/{order.Text("documentNumber")}/cancellations";

        var (partStatus, part) = await sandbox.ErpAsync(Post, path, "ord-14:cancel:1", new { reason = "out of stock", lines = new[] { new { lineNumber = 1, sku = "24-MB01", quantity = 2m } } });
        var (tooMany, tooManyProblem) = await sandbox.ErpAsync(Post, path, "ord-14:cancel:2", new { lines = new[] { new { sku = "24-MB01", quantity = 2m } } });
        var (notOrdered, _) = await sandbox.ErpAsync(Post, path, "ord-14:cancel:3", new { lines = new[] { new { sku = "OTHER", quantity = 1m } } });
        var (_, between) = await sandbox.ErpAsync(Get, "api/v1/sales-orders/" + order.Text("documentNumber"));
        var (restStatus, rest) = await sandbox.ErpAsync(Post, path, "ord-14:cancel:4", new { reason = "customer request" });

        Assert.Equal(HttpStatusCode.Created, partStatus);
        Assert.Equal("partially_cancelled", part.Text("status"));
        Assert.Equal(2m, part.GetProperty("lines")[0].Decimal("quantity"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany);
        Assert.Equal("QUANTITY_EXCEEDS_ORDER", tooManyProblem.Text("code"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notOrdered);
        Assert.Equal("partially_cancelled", between.Text("status"));
        Assert.False(between.GetProperty("cancelled").GetBoolean());
        Assert.Equal(HttpStatusCode.Created, restStatus);
        Assert.Equal("cancelled", rest.Text("status"));
        Assert.Equal(1m, rest.GetProperty("lines")[0].Decimal("quantity"));
        Assert.Equal(2, Count(sandbox, "erp.cancellations", "ord-14"));
    }

    [Fact]
    public async Task Line_numbers_and_line_totals_are_optional_but_checked_and_the_order_date_defaults_to_receipt()
    {
        var clock = new TestClock(TestClock.Start);
        await using var sandbox = await SalesTestKit.StartWithClockAsync(clock);
        object Body(int firstLineNumber, decimal lineTotal) => new
        {
            orderReference = "ord-15", store = "default", orderNumber = "000000015", revision = 1, currency = "EUR", guest = true,
            shipTo = new { country = "DE" },
            lines = new object[]
            {
                new { lineNumber = firstLineNumber, sku = "A", quantity = 2m, unitPrice = 10m, discount = 1m, tax = 3.61m, lineTotal },
                new { lineNumber = 2, sku = "B", quantity = 1m, unitPrice = 5m, discount = 0m, tax = 0.95m, lineTotal = 5m },
            },
            totals = new { subtotal = 25m, discount = 1m, shipping = 0m, tax = 4.56m, grandTotal = 28.56m },
        };

        var (duplicateNumber, duplicateProblem) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "k1", Body(2, 19m));
        var (grossTotal, grossProblem) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "k2", Body(1, 22.61m));
        var (booked, receipt) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "k3", Body(1, 19m));
        var (_, document) = await sandbox.ErpAsync(Get, "api/v1/sales-orders/" + receipt.Text("documentNumber"));

        Assert.Equal(HttpStatusCode.BadRequest, duplicateNumber);
        Assert.Contains("lineNumber", duplicateProblem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, grossTotal);
        Assert.Contains("lineTotal", grossProblem.Text("detail"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Created, booked);
        Assert.Equal(TestClock.Start, document.GetProperty("orderDate").GetDateTimeOffset());
        Assert.Equal(19m, document.GetProperty("lines")[0].Decimal("lineTotal"));
    }

    [Fact]
    public async Task The_reconciliation_listing_filters_by_order_date_and_store_and_pages_through_every_document_once()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        for (var day = 20; day <= 24; day++)
        {
            await sandbox.ErpAsync(Post, "api/v1/sales-orders", $"d{day}", Order($"ord-d{day}", orderDate: $"2026-11-{day}T12:00:00Z"));
            await sandbox.ErpAsync(Post, "api/v1/sales-orders", $"d{day}-de", Order($"ord-d{day}-de", store: "de", orderDate: $"2026-11-{day}T12:00:00Z"));
        }

        var (_, cancelled) = await sandbox.ErpAsync(Get, "api/v1/sales-orders?orderReference=ord-d21");
        await sandbox.ErpAsync(Post, $"api/v1/sales-orders/{cancelled.GetProperty("items")[0].Text("documentNumber")}/cancellations", "c", new { });

        var (_, window) = await sandbox.ErpAsync(Get, "api/v1/sales-orders?from=2026-11-21&to=2026-11-23&store=default");
        Assert.Equal(["ord-d21", "ord-d22"], window.GetProperty("items").EnumerateArray().Select(item => item.Text("orderReference")));
        var d21 = window.GetProperty("items")[0];
        Assert.True(d21.GetProperty("cancelled").GetBoolean());
        Assert.Equal("cancelled", d21.Text("status"));
        Assert.Equal(68m + 5m + 12.92m, d21.Decimal("grandTotal"));
        Assert.Equal(1, d21.GetProperty("revision").GetInt32());
        Assert.Equal("EUR", d21.Text("currency"));

        var seen = new List<string>();
        for (var page = 1; page <= 4; page++)
        {
            var (_, listing) = await sandbox.ErpAsync(Get, $"api/v1/sales-orders?pageSize=3&page={page}");
            Assert.Equal(10, listing.GetProperty("totalCount").GetInt32());
            Assert.Equal(4, listing.GetProperty("totalPages").GetInt32());
            seen.AddRange(listing.GetProperty("items").EnumerateArray().Select(item => item.Text("documentNumber")));
        }

        Assert.Equal(10, seen.Distinct().Count());
        Assert.Equal(10, seen.Count);
        var (_, beyond) = await sandbox.ErpAsync(Get, "api/v1/sales-orders?pageSize=3&page=5");
        Assert.Equal(0, beyond.GetProperty("items").GetArrayLength());
        var (badFrom, _) = await sandbox.ErpAsync(Get, "api/v1/sales-orders?from=yesterday");
        var (badSize, _) = await sandbox.ErpAsync(Get, "api/v1/sales-orders?pageSize=0");
        Assert.Equal(HttpStatusCode.BadRequest, badFrom);
        Assert.Equal(HttpStatusCode.BadRequest, badSize);
    }

    [Fact]
    public async Task A_lost_response_leaves_the_order_booked_and_the_retry_with_the_same_key_gets_it_back()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.PutFaultsAsync("erp", new { lostResponseRate = 1.0, timeoutSeconds = 1 });

        var clock = Stopwatch.StartNew();
        var (lost, _) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-12:r1", Order("ord-12"));
        Assert.Equal(HttpStatusCode.GatewayTimeout, lost);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(950), "the gateway waits before giving up");
        Assert.Equal(1, Count(sandbox, "erp.orders.created", "ord-12"));

        using (var cleared = await sandbox.Client.DeleteAsync("_sandbox/faults/erp"))
        {
            Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        }

        var (retried, receipt) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-12:r1", Order("ord-12"));
        Assert.Equal(HttpStatusCode.OK, retried);
        Assert.Equal("SO-000001", receipt.Text("documentNumber"));
        Assert.Equal(1, Count(sandbox, "erp.orders.created", "ord-12"));
        Assert.Equal(1, Count(sandbox, "erp.orders.duplicates_refused", "ord-12"));
        Assert.Equal(1, sandbox.Services.GetCounters().GetSystem("erp", "faults.lost_response"));
    }

    [Fact]
    public async Task Injected_errors_and_a_wrong_api_key_stop_the_request_before_the_erp_books_anything()
    {
        await using var sandbox = await SandboxHost.StartAsync();
        await sandbox.PutFaultsAsync("erp", new { errorRate = 1.0, errorStatus = 503 });

        var (failed, _) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-13:r1", Order("ord-13"));
        using var noKey = await sandbox.Client.PostAsJsonAsync("erp/api/v1/sales-orders", Order("ord-13"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, noKey.StatusCode);
        await sandbox.PutFaultsAsync("erp", new { latencyMs = 0 });
        using var request = new HttpRequestMessage(Post, "erp/api/v1/sales-orders") { Content = JsonContent.Create(Order("ord-13")) };
        request.Headers.Add("X-Api-Key", "wrong");
        request.Headers.Add("Idempotency-Key", "ord-13:r1");
        using var unauthorized = await sandbox.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(0, Count(sandbox, "erp.orders.received"));

        var (booked, _) = await sandbox.ErpAsync(Post, "api/v1/sales-orders", "ord-13:r1", Order("ord-13"));
        Assert.Equal(HttpStatusCode.Created, booked);
    }
}
