using System.Net;
using System.Text.Json.Nodes;
using Platform.Connectors.Erp.Tests.Infrastructure;
using Platform.Connectors.Testing;

namespace Platform.Connectors.Erp.Tests;

public sealed class SalesOrderTests
{
    [Fact]
    public async Task Posts_the_body_of_the_default_mapping_with_idempotency_and_api_key_headers()
    {
        var erp = new FakeErp();
        await using var remote = await FakeRemote.StartAsync("/erp/", erp.RespondAsync);
        await using var harness = ErpHarness.Create(remote);

        var result = await harness.Client.CreateSalesOrderAsync(Orders.Guest(revision: 2));

        Assert.Equal(new ErpSalesOrderResult("SO-4712", Replayed: false), result);
        var request = Assert.Single(remote.Requests);
        Assert.Equal(("POST", "api/v1/sales-orders", ""), (request.Method, request.Path, request.Query));
        Assert.Equal("default:000000003:2", request.Headers["Idempotency-Key"]);
        Assert.Equal(ErpHarness.ApiKey, request.Headers["X-Api-Key"]);
        Assert.Equal("application/json; charset=utf-8", request.Headers["Content-Type"]);
        Assert.Equal(
            """
            {"orderReference":"default:000000003","store":"default","orderNumber":"000000003","revision":2,"orderDate":null,"currency":"USD","customerCode":null,"guest":true,"shipTo":{"country":"US","region":"MI"},"lines":[{"lineNumber":1,"sku":"24-WG085","quantity":2,"unitPrice":14,"discount":2.1,"tax":2.31,"lineTotal":28},{"lineNumber":2,"sku":"24-UG03","quantity":1,"unitPrice":17,"discount":2.4,"tax":1.69,"lineTotal":17}],"totals":{"subtotal":45,"shipping":10,"discount":4.5,"tax":4,"grandTotal":54.5}}
            """,
            request.Body);
    }

    [Fact]
    public async Task A_replay_answered_200_returns_the_document_created_the_first_time()
    {
        var erp = new FakeErp();
        await using var remote = await FakeRemote.StartAsync("/erp/", erp.RespondAsync);
        await using var harness = ErpHarness.Create(remote);

        var first = await harness.Client.CreateSalesOrderAsync(Orders.Guest(revision: 1));
        var replay = await harness.Client.CreateSalesOrderAsync(Orders.Guest(revision: 1));
        var nextRevision = await harness.Client.CreateSalesOrderAsync(Orders.Guest(revision: 2));

        Assert.False(first.Replayed);
        Assert.True(replay.Replayed);
        Assert.Equal(first.DocumentNumber, replay.DocumentNumber);
        Assert.False(nextRevision.Replayed);
        Assert.NotEqual(first.DocumentNumber, nextRevision.DocumentNumber);
        var requests = remote.Requests.ToList();
        Assert.Equal(["default:000000003:1", "default:000000003:1", "default:000000003:2"], requests.Select(r => r.Headers["Idempotency-Key"]));
        Assert.Equal(requests[0].Body, requests[1].Body);
    }

    [Fact]
    public async Task A_retried_attempt_sends_the_same_key_and_the_same_bytes()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, request) => request.Number == 1
            ? FakeRemote.WriteJsonAsync(context, 503, """{"type":"about:blank","title":"Service Unavailable","status":503}""")
            : FakeRemote.WriteJsonAsync(context, 201, """{"documentNumber":"SO-9"}"""));
        await using var harness = ErpHarness.Create(remote);

        var result = await harness.Client.CreateSalesOrderAsync(Orders.Guest());

        Assert.Equal("SO-9", result.DocumentNumber);
        var attempts = remote.Requests.ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal(attempts[0].Headers["Idempotency-Key"], attempts[1].Headers["Idempotency-Key"]);
        Assert.Equal(attempts[0].Body, attempts[1].Body);
    }

    [Fact]
    public async Task An_unknown_sku_answered_422_is_a_permanent_rejection_naming_the_sku_and_is_not_retried()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, _) =>
            FakeRemote.WriteJsonAsync(context, 422, """{"error":"unknown SKU","sku":"24-UG03"}"""));
        await using var harness = ErpHarness.Create(remote);

        var rejection = await Assert.ThrowsAsync<ErpRejectedException>(() => harness.Client.CreateSalesOrderAsync(Orders.Guest()));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, rejection.StatusCode);
        Assert.Equal("unknown SKU", rejection.Error);
        Assert.Equal("24-UG03", rejection.Sku);
        Assert.Equal("sales-orders.create", rejection.Operation);
        Assert.Equal("default:000000003:1", rejection.IdempotencyKey);
        Assert.Equal("erp sales-orders.create: ERP answered 422: unknown SKU (sku 24-UG03) [idempotency key default:000000003:1]", rejection.Message);
        Assert.Equal(1, remote.Hits);
    }

    [Fact]
    public async Task A_rejection_as_problem_details_is_read_too()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, _) => FakeRemote.WriteJsonAsync(context, 422,
            """{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"line 2: unknown SKU","sku":"24-UG03"}"""));
        await using var harness = ErpHarness.Create(remote);

        var rejection = await Assert.ThrowsAsync<ErpRejectedException>(() => harness.Client.CreateSalesOrderAsync(Orders.Guest()));

        Assert.Equal(("line 2: unknown SKU", "24-UG03"), (rejection.Error, rejection.Sku));
    }

    [Fact]
    public async Task Server_errors_stay_transient_and_authentication_errors_do_not()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, request) =>
            FakeRemote.WriteJsonAsync(context, request.Headers["Idempotency-Key"].EndsWith(":1", StringComparison.Ordinal) ? 500 : 401, "{}"));
        var settings = ErpHarness.Settings(remote.BaseAddress);
        settings["Platform:Connectors:erp:Retry:MaxRetryAttempts"] = "2";
        await using var harness = ErpHarness.Create(settings);

        var serverError = await Assert.ThrowsAsync<ConnectorException>(() => harness.Client.CreateSalesOrderAsync(Orders.Guest(revision: 1)));
        var unauthorized = await Assert.ThrowsAsync<ConnectorException>(() => harness.Client.CreateSalesOrderAsync(Orders.Guest(revision: 2)));

        Assert.Equal((HttpStatusCode.InternalServerError, true), (serverError.StatusCode, serverError.IsTransient));
        Assert.Equal((HttpStatusCode.Unauthorized, false), (unauthorized.StatusCode, unauthorized.IsTransient));
        Assert.Equal(3 + 1, remote.Hits);
    }

    [Fact]
    public async Task A_success_without_a_document_number_is_not_taken_for_an_export()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", (context, _) => FakeRemote.WriteJsonAsync(context, 201, """{"id":"x"}"""));
        await using var harness = ErpHarness.Create(remote);

        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => harness.Client.CreateSalesOrderAsync(Orders.Guest()));

        Assert.Equal("erp sales-orders.create: the ERP answered 201 without a documentNumber [idempotency key default:000000003:1]", failure.Message);
    }

    [Fact]
    public async Task Another_mapping_renames_regroups_and_transforms_values()
    {
        var erp = new FakeErp();
        await using var remote = await FakeRemote.StartAsync("/erp/", erp.RespondAsync);
        await using var harness = ErpHarness.Create(remote, Path.Combine("Mappings", "erp-mapping.v7.yaml"));

        await harness.Client.CreateSalesOrderAsync(Orders.Guest());

        Assert.Equal(
            """
            {"header":{"externalRef":"default:000000003","channel":"default","webOrderNo":"000000003","rev":1,"curr":"usd","total":54.5,"positions":[{"pos":1,"article":{"number":"WEB-24-WG085"},"qty":2,"price":14,"net":28},{"pos":2,"article":{"number":"WEB-24-UG03"},"qty":1,"price":17,"net":17}]},"delivery":{"countryIso":"US"},"freight":10}
            """,
            Assert.Single(remote.Requests).Body);
    }

    [Fact]
    public async Task A_json_mapping_file_works_like_yaml()
    {
        var erp = new FakeErp();
        await using var remote = await FakeRemote.StartAsync("/erp/", erp.RespondAsync);
        await using var harness = ErpHarness.Create(remote, Path.Combine(AppContext.BaseDirectory, "Mappings", "erp-mapping.v2.json"));

        await harness.Client.CreateSalesOrderAsync(Orders.Guest() with { Lines = [new ErpSalesOrderLine(1, "OAK-WT-40", 1.5m, 12.4m, 0, 0, 18.6m)] });

        var body = JsonNode.Parse(Assert.Single(remote.Requests).Body)!;
        Assert.Equal("default:000000003", (string?)body["ref"]);
        Assert.Equal(1.5m, (decimal?)body["items"]![0]!["quantity"]);
        Assert.Null(body["storeCode"]);
        Assert.Null(body["totals"]);
    }

    [Fact]
    public async Task A_quantity_finer_than_the_mapping_allows_is_refused_before_sending()
    {
        await using var remote = await FakeRemote.StartAsync("/erp/", new FakeErp().RespondAsync);
        await using var harness = ErpHarness.Create(remote, Path.Combine("Mappings", "erp-mapping.v7.yaml"));
        var order = Orders.Guest() with { Lines = [new ErpSalesOrderLine(1, "OAK-WT-40", 1.5m, 12.4m, 0, 0, 18.6m)] };

        var rejection = await Assert.ThrowsAsync<ErpRejectedException>(() => harness.Client.CreateSalesOrderAsync(order));

        Assert.Null(rejection.StatusCode);
        Assert.Equal("OAK-WT-40", rejection.Sku);
        Assert.Equal("quantity 1.5 of line 1 has more than the 0 decimals mapping version 7 allows", rejection.Error);
        Assert.Equal(0, remote.Hits);
    }
}
