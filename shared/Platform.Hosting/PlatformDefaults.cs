using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.Hosting;

/// <summary>The name a service passed to AddPlatformDefaults ("order", "catalog", ...), for anything that labels output.</summary>
public sealed record PlatformService(string Name);

public static class PlatformDefaults
{
    /// <summary>
    /// Everything every service has: two Kestrel listeners, JSON logs with redaction, metrics, health, API-key and
    /// optional JWT authentication with scope policies, gRPC with reflection. Nothing here is static: six apps built
    /// this way run side by side in one process without sharing listeners, keys, health or exported metrics.
    /// </summary>
    public static WebApplicationBuilder AddPlatformDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.IsNullOrWhiteSpace(serviceName) || !serviceName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            throw new ArgumentException($"Service name must be lower-case letters, digits and '-' (was '{serviceName}').", nameof(serviceName));
        }

        if (builder.Services.Any(descriptor => descriptor.ServiceType == typeof(PlatformService)))
        {
            throw new InvalidOperationException("AddPlatformDefaults was already called on this builder.");
        }

        var services = builder.Services;
        services.AddSingleton(new PlatformService(serviceName));

        services.AddValidatedOptions<PlatformHostingOptions>(PlatformHostingOptions.SectionPath);
        services.AddSingleton<IValidateOptions<PlatformHostingOptions>, PlatformHostingOptionsValidator>();
        PlatformKestrel.Configure(services);

        ConfigureLogging(builder.Logging);
        PlatformTelemetry.Configure(services, serviceName);
        PlatformHealth.Configure(services, serviceName);
        PlatformAuthentication.Configure(services, builder.Configuration);

        // Authentication pulls in data protection, whose key ring is written under the home directory at start:
        // that fails on a read-only root filesystem. These services protect nothing that must outlive the process
        // (no cookies, no antiforgery), so the key ring lives in memory.
        services.AddDataProtection();
        services.Configure<KeyManagementOptions>(options =>
        {
            options.XmlRepository = new InMemoryXmlRepository();
            options.XmlEncryptor = new NullXmlEncryptor();
        });

        services.AddGrpc(options => options.EnableDetailedErrors = builder.Environment.IsDevelopment());
        services.AddGrpcReflection();

        // After health: the bus and state adapters add readiness checks of their own.
        Runtime.PlatformRuntime.Configure(builder, serviceName);
        return builder;
    }

    /// <summary>
    /// Authentication and authorization middleware, then the anonymous endpoints (/healthz, /readyz, /metrics,
    /// grpc.health.v1.Health) and gRPC reflection, which like every other endpoint requires an authenticated caller.
    /// </summary>
    public static WebApplication MapPlatformDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();

        PlatformHealth.Map(app);
        PlatformTelemetry.Map(app);
        app.MapGrpcReflectionService();
        return app;
    }

    private static void ConfigureLogging(ILoggingBuilder logging)
    {
        // Only the redacting formatter may write: any other provider would print raw values.
        logging.ClearProviders();
        logging.AddConsole(options => options.FormatterName = PlatformJsonConsoleFormatter.FormatterName);
        logging.AddConsoleFormatter<PlatformJsonConsoleFormatter, PlatformJsonConsoleFormatterOptions>();
    }
}

internal sealed class InMemoryXmlRepository : IXmlRepository
{
    private readonly List<XElement> _elements = [];
    private readonly Lock _gate = new();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_gate)
        {
            return _elements.Select(element => new XElement(element)).ToList();
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_gate)
        {
            _elements.Add(new XElement(element));
        }
    }
}
