using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Common.V1;
using Platform.Messaging;
using DeadLetterFilter = Platform.Contracts.Common.V1.DeadLetterFilter;
using Platform.Messaging.InMemory;
using OrderV1 = Platform.Contracts.Order.V1;

namespace Platform.Services.FunctionalTests;

public sealed class DeadLetterAdminTests
{
    [Fact]
    public async Task An_operator_lists_shows_and_replays_dead_letters_through_the_service_api()
    {
        var log = new InMemoryTransport();
        await using var host = await ServiceHost.StartAsync("order", services: s => s.AddSingleton<IMessageTransport>(log));
        var deadLetters = host.App.Services.GetRequiredService<IDeadLetterStore>();
        foreach (var (id, kind) in new[] { ("dl-1", FailureKinds.Invalid), ("dl-2", FailureKinds.Exhausted) })
        {
            await deadLetters.RecordAsync(new DeadLetterRecord
            {
                Id = id,
                EventId = "event-" + id,
                EventType = "platform.order.v1.OrderPlaced",
                // A group this service no longer runs, so the replayed record waits on its retry topic to be looked at.
                ConsumerGroup = "order-archive",
                OriginalTopic = "order.ingest.v1",
                Key = "default-1",
                Reason = "unknown store code 'xx'",
                FailureKind = kind,
                Attempts = 1,
                FirstFailureTime = DateTimeOffset.UtcNow,
                DeadLetteredAt = DateTimeOffset.UtcNow,
                Headers = new() { [EventHeaders.Id] = "event-" + id, [EventHeaders.SpecVersion] = "1.0" },
                Payload = new StringValue { Value = "payload" }.ToByteArray(),
            });
        }

        var client = new OrderV1.OrderService.OrderServiceClient(host.Channel);
        var admin = ServiceHost.WithKey(ServiceHost.AdminKey);

        var invalidOnly = await client.ListDeadLettersAsync(new OrderV1.ListDeadLettersRequest { Filter = new DeadLetterFilter { FailureKind = FailureKind.Invalid } }, admin);
        Assert.Equal("dl-1", Assert.Single(invalidOnly.DeadLetters).Id);

        var paged = await client.ListDeadLettersAsync(new OrderV1.ListDeadLettersRequest { PageSize = 1 }, admin);
        Assert.Single(paged.DeadLetters);
        var secondPage = await client.ListDeadLettersAsync(new OrderV1.ListDeadLettersRequest { PageSize = 1, PageToken = paged.NextPageToken }, admin);
        Assert.NotEqual(paged.DeadLetters[0].Id, Assert.Single(secondPage.DeadLetters).Id);
        Assert.Empty(secondPage.NextPageToken);

        var shown = await client.GetDeadLetterAsync(new OrderV1.GetDeadLetterRequest { Id = "dl-2" }, admin);
        Assert.Equal("unknown store code 'xx'", shown.DeadLetter.Reason);
        Assert.Equal(FailureKind.Exhausted, shown.DeadLetter.FailureKind);
        var missing = await Assert.ThrowsAsync<RpcException>(() => client.GetDeadLetterAsync(new OrderV1.GetDeadLetterRequest { Id = "nope" }, admin).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        var replayed = await client.ReplayDeadLettersAsync(new OrderV1.ReplayDeadLettersRequest { Filter = new DeadLetterFilter { Ids = { "dl-2" } } }, admin);
        Assert.Equal(1, replayed.ReplayedCount);
        var retry = Assert.Single(log.ReadAll(ConsumerTopics.RetryTopic("order-archive")));
        Assert.Equal("order.ingest.v1", retry.Headers[EventHeaders.OriginalTopic]);
        Assert.Equal("event-dl-2", retry.Headers[EventHeaders.Id]);
        Assert.Equal(1, (await client.GetStatusAsync(new OrderV1.GetStatusRequest(), admin)).Status.DeadLettersPending);
    }
}
