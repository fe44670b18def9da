using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

namespace Platform.Hosting;

/// <summary>Section <c>Platform:Hosting</c>: where the two listeners bind.</summary>
public sealed class PlatformHostingOptions
{
    public const string SectionPath = "Platform:Hosting";

    /// <summary>HTTP/2 cleartext (prior knowledge) for gRPC. 0 picks a free port, which tests use.</summary>
    [Range(0, 65535)]
    public int GrpcPort { get; set; } = 8081;

    /// <summary>HTTP/1.1 for /metrics, /healthz, /readyz and inbound webhooks. 0 picks a free port.</summary>
    [Range(0, 65535)]
    public int HttpPort { get; set; } = 8080;

    /// <summary>An IP literal. Loopback by default so a developer machine exposes nothing; charts set 0.0.0.0.</summary>
    [Required]
    public string BindAddress { get; set; } = "127.0.0.1";
}

internal sealed class PlatformHostingOptionsValidator : IValidateOptions<PlatformHostingOptions>
{
    public ValidateOptionsResult Validate(string? name, PlatformHostingOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.BindAddress) && !IPAddress.TryParse(options.BindAddress, out _))
        {
            failures.Add($"{PlatformHostingOptions.SectionPath}:BindAddress must be an IP address such as 127.0.0.1 or 0.0.0.0 (was {options.BindAddress})");
        }

        if (options.GrpcPort != 0 && options.GrpcPort == options.HttpPort)
        {
            failures.Add($"{PlatformHostingOptions.SectionPath}:GrpcPort and {PlatformHostingOptions.SectionPath}:HttpPort must differ (both were {options.GrpcPort})");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
