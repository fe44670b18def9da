using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;

namespace Platform.Dapr.Tests.Sidecar;

/// <summary>
/// The part of the sidecar's gRPC API (<c>dapr.proto.runtime.v1.Dapr</c>) that DaprClient uses for state and
/// publishing. DaprClient speaks gRPC for these (HTTP only for invocation and health), so the double serves the
/// same service, bound by hand with the request and response messages the SDK ships (it ships no server base).
/// </summary>
[BindServiceMethod(typeof(DaprRuntimeApiBase), nameof(BindService))]
internal abstract class DaprRuntimeApiBase
{
    private const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    public abstract Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context);

    public abstract Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context);

    public abstract Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context);

    public abstract Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context);

    public abstract Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context);

    public abstract Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context);

    public static void BindService(ServiceBinderBase binder, DaprRuntimeApiBase? service)
    {
        // Grpc.AspNetCore finds the handlers as overrides of the methods above, by name; the delegates are not used.
        binder.AddMethod(Unary<GetStateRequest, GetStateResponse>(nameof(GetState)), (UnaryServerMethod<GetStateRequest, GetStateResponse>)null!);
        binder.AddMethod(Unary<GetBulkStateRequest, GetBulkStateResponse>(nameof(GetBulkState)), (UnaryServerMethod<GetBulkStateRequest, GetBulkStateResponse>)null!);
        binder.AddMethod(Unary<SaveStateRequest, Empty>(nameof(SaveState)), (UnaryServerMethod<SaveStateRequest, Empty>)null!);
        binder.AddMethod(Unary<DeleteStateRequest, Empty>(nameof(DeleteState)), (UnaryServerMethod<DeleteStateRequest, Empty>)null!);
        binder.AddMethod(Unary<ExecuteStateTransactionRequest, Empty>(nameof(ExecuteStateTransaction)), (UnaryServerMethod<ExecuteStateTransactionRequest, Empty>)null!);
        binder.AddMethod(Unary<PublishEventRequest, Empty>(nameof(PublishEvent)), (UnaryServerMethod<PublishEventRequest, Empty>)null!);
    }

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
        where TRequest : class, IMessage<TRequest>, new()
        where TResponse : class, IMessage<TResponse>, new() =>
        new(MethodType.Unary, ServiceName, name, MarshallerFor<TRequest>(), MarshallerFor<TResponse>());

    private static Marshaller<T> MarshallerFor<T>()
        where T : class, IMessage<T>, new()
    {
        var parser = new MessageParser<T>(() => new T());
        return Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
    }
}

/// <summary>State and publish calls served from the in-memory components.</summary>
internal sealed class DaprRuntimeApiDouble(
    IReadOnlyDictionary<string, StateComponentDouble> stateStores,
    IReadOnlyDictionary<string, PubSubComponentDouble> pubSubs) : DaprRuntimeApiBase
{
    /// <summary>Every publish request as the sidecar received it, for assertions on metadata.</summary>
    public List<PublishEventRequest> Publishes { get; } = [];

    public override Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context)
    {
        var response = new GetStateResponse();
        if (Store(request.StoreName).Get(request.Key) is { } found)
        {
            response.Data = ByteString.CopyFrom(found.Data);
            response.Etag = found.ETag;
        }

        return Task.FromResult(response);
    }

    public override Task<GetBulkStateResponse> GetBulkState(GetBulkStateRequest request, ServerCallContext context)
    {
        var store = Store(request.StoreName);
        var response = new GetBulkStateResponse();
        foreach (var key in request.Keys)
        {
            var item = new BulkStateItem { Key = key };
            if (store.Get(key) is { } found)
            {
                item.Data = ByteString.CopyFrom(found.Data);
                item.Etag = found.ETag;
            }

            response.Items.Add(item);
        }

        return Task.FromResult(response);
    }

    public override Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context)
    {
        var store = Store(request.StoreName);
        foreach (var item in request.States)
        {
            store.Save(item);
        }

        return Task.FromResult(new Empty());
    }

    public override Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context)
    {
        Store(request.StoreName).Delete(request.Key, request.Etag);
        return Task.FromResult(new Empty());
    }

    public override Task<Empty> ExecuteStateTransaction(ExecuteStateTransactionRequest request, ServerCallContext context)
    {
        Store(request.StoreName).Transact(request.Operations);
        return Task.FromResult(new Empty());
    }

    public override Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context)
    {
        if (!pubSubs.TryGetValue(request.PubsubName, out var pubSub))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"pubsub {request.PubsubName} not found"));
        }

        lock (Publishes)
        {
            Publishes.Add(request.Clone());
        }

        pubSub.Publish(request.Topic, request.Data.ToByteArray(), request.DataContentType, request.Metadata);
        return Task.FromResult(new Empty());
    }

    private StateComponentDouble Store(string name) =>
        stateStores.TryGetValue(name, out var store)
            ? store
            : throw new RpcException(new Status(StatusCode.InvalidArgument, $"state store {name} is not found"));
}
