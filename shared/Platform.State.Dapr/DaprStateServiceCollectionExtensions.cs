using Dapr.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Platform.State.Dapr;

public static class DaprStateServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IStateStore"/> on a Dapr state component. The <see cref="DaprClient"/> is shared with the
    /// Dapr bus adapter when both are used (whichever registers first builds it). Invalid options fail at start.
    /// </summary>
    public static IServiceCollection AddDaprStateStore(this IServiceCollection services, Action<DaprStateOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<DaprStateOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DaprStateOptions>, DaprStateOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<DaprStateOptions>>().Value;
            return BuildClient(options.GrpcEndpoint, options.HttpEndpoint);
        });
        services.AddSingleton<IStateStore>(provider => new DaprStateStore(
            provider.GetRequiredService<DaprClient>(),
            provider.GetRequiredService<IOptions<DaprStateOptions>>().Value,
            provider.GetRequiredService<TimeProvider>()));
        return services;
    }

    // DaprClientBuilder reads DAPR_GRPC_ENDPOINT / DAPR_HTTP_ENDPOINT / DAPR_API_TOKEN itself; explicit options win.
    internal static DaprClient BuildClient(string? grpcEndpoint, string? httpEndpoint)
    {
        var builder = new DaprClientBuilder();
        if (!string.IsNullOrWhiteSpace(grpcEndpoint))
        {
            builder.UseGrpcEndpoint(grpcEndpoint);
        }

        if (!string.IsNullOrWhiteSpace(httpEndpoint))
        {
            builder.UseHttpEndpoint(httpEndpoint);
        }

        return builder.Build();
    }

    private sealed class DaprStateOptionsValidator : IValidateOptions<DaprStateOptions>
    {
        public ValidateOptionsResult Validate(string? name, DaprStateOptions options)
        {
            var problems = options.Validate();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
