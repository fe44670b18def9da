using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Platform.Ownership;

public sealed class OwnershipOptions
{
    public const string SectionName = "Platform:Ownership";

    // A policy file; a relative path is taken from the application's base directory.
    // When empty, the built-in policy named by BuiltInPolicy is used.
    public string? PolicyPath { get; set; }

    // "magento" or "shopify": the shipped policies, identical but for the storefront.
    public string BuiltInPolicy { get; set; } = OwnershipPolicy.DefaultBuiltIn;
}

public static class OwnershipServiceCollectionExtensions
{
    // Registers OwnershipPolicy and OwnershipGuard. The policy is loaded and validated when the host
    // starts; an invalid policy stops the start with every problem in the message.
    public static IServiceCollection AddOwnershipPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddMetrics();
        services.AddOptions<OwnershipOptions>()
            .Bind(configuration.GetSection(OwnershipOptions.SectionName))
            .ValidateOnStart();
        services.TryAddSingleton<OwnershipPolicyHolder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OwnershipOptions>, OwnershipOptionsValidator>());
        services.TryAddSingleton(provider => provider.GetRequiredService<OwnershipPolicyHolder>()
            .Get(provider.GetRequiredService<IOptions<OwnershipOptions>>().Value));
        services.TryAddSingleton<OwnershipGuard>();
        return services;
    }
}

// Loads the policy once: start-up validation and the first resolution share the result (or the failure).
internal sealed class OwnershipPolicyHolder
{
    private readonly Lock _lock = new();
    private Lazy<OwnershipPolicy>? _policy;

    public OwnershipPolicy Get(OwnershipOptions options)
    {
        lock (_lock)
        {
            _policy ??= new Lazy<OwnershipPolicy>(() => Load(options), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        return _policy.Value;
    }

    private static OwnershipPolicy Load(OwnershipOptions options) => string.IsNullOrWhiteSpace(options.PolicyPath)
        ? OwnershipPolicy.LoadBuiltIn(options.BuiltInPolicy)
        : OwnershipPolicy.LoadFile(Path.IsPathRooted(options.PolicyPath)
            ? options.PolicyPath
            : Path.Combine(AppContext.BaseDirectory, options.PolicyPath));
}

internal sealed class OwnershipOptionsValidator(OwnershipPolicyHolder holder) : IValidateOptions<OwnershipOptions>
{
    public ValidateOptionsResult Validate(string? name, OwnershipOptions options)
    {
        try
        {
            holder.Get(options);
            return ValidateOptionsResult.Success;
        }
        catch (OwnershipPolicyException exception)
        {
            return ValidateOptionsResult.Fail(exception.Message);
        }
    }
}
