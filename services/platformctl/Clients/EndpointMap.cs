using System.Text.Json;

namespace Platform.Ctl.Clients;

/// <summary>
/// Where each service's gRPC API listens. For each service the first of these wins:
/// --endpoint-&lt;service&gt;, PLATFORMCTL_ENDPOINT_&lt;SERVICE&gt;, the endpoints file (--endpoints or PLATFORMCTL_ENDPOINTS),
/// then the local host's layout from --base-port. Command line over environment over file over default, as
/// kubectl and the cloud CLIs do, so a one-off flag always beats what a shell profile set.
/// </summary>
public sealed class EndpointMap
{
    public const string EndpointsFileVariable = "PLATFORMCTL_ENDPOINTS";

    private readonly IReadOnlyDictionary<string, Uri> _endpoints;

    private EndpointMap(IReadOnlyDictionary<string, Uri> endpoints) => _endpoints = endpoints;

    public Uri this[string service] => _endpoints.TryGetValue(service, out var endpoint)
        ? endpoint
        : throw new ArgumentOutOfRangeException(nameof(service), service, "not a platform service");

    /// <exception cref="CtlException">An endpoint is not an absolute http(s) URL, or the file is unreadable.</exception>
    public static EndpointMap Resolve(
        IReadOnlyDictionary<string, string?> flags,
        string? endpointsFile,
        int basePort,
        Func<string, string?> environment)
    {
        var fromFile = endpointsFile is { Length: > 0 } ? ReadFile(endpointsFile) : new Dictionary<string, string>();
        var endpoints = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var service in PlatformServices.All)
        {
            var variable = PlatformServices.EnvironmentVariableFor(service);
            if (flags.GetValueOrDefault(service) is { Length: > 0 } flag)
            {
                endpoints[service] = Parse(flag, $"--endpoint-{service}");
            }
            else if (environment(variable) is { Length: > 0 } fromEnvironment)
            {
                endpoints[service] = Parse(fromEnvironment, variable);
            }
            else if (fromFile.TryGetValue(service, out var configured))
            {
                endpoints[service] = Parse(configured, $"'{service}' in {endpointsFile}");
            }
            else
            {
                endpoints[service] = PlatformServices.DefaultEndpoint(service, basePort);
            }
        }

        return new EndpointMap(endpoints);
    }

    public static Uri Parse(string value, string source)
    {
        if (Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        throw CtlException.Usage($"{source}: '{value}' is not an http:// or https:// URL (e.g. http://127.0.0.1:5121)");
    }

    // The file is a JSON object of service name to URL, e.g. {"order": "https://order.platform.svc:8081"}, so an
    // operator keeps one file per environment and switches with PLATFORMCTL_ENDPOINTS.
    private static Dictionary<string, string> ReadFile(string path)
    {
        Dictionary<string, string>? entries;
        try
        {
            using var stream = File.OpenRead(path);
            entries = JsonSerializer.Deserialize<Dictionary<string, string>>(stream);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            throw CtlException.Usage($"endpoints file {path}: {exception.Message}");
        }

        if (entries is null)
        {
            throw CtlException.Usage($"endpoints file {path}: expected a JSON object of service name to URL");
        }

        var unknown = entries.Keys.Where(name => !PlatformServices.All.Contains(name, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw CtlException.Usage($"endpoints file {path}: unknown service(s) {string.Join(", ", unknown)}; expected {string.Join(", ", PlatformServices.All)}");
        }

        return entries;
    }
}
