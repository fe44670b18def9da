using System.CommandLine;
using Platform.Ctl.Clients;
using Platform.Ctl.Output;

namespace Platform.Ctl.Commands;

public sealed record CtlSettings(EndpointMap Endpoints, string? ApiKey, TimeSpan Timeout, bool Json);

/// <summary>Options every command accepts, wherever they stand on the command line.</summary>
public sealed class GlobalOptions
{
    public const string ApiKeyVariable = "PLATFORMCTL_API_KEY";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, Option<string?>> _endpoints = PlatformServices.All.ToDictionary(
        service => service,
        service => new Option<string?>($"--endpoint-{service}")
        {
            Description = $"gRPC address of the {service} service (or {PlatformServices.EnvironmentVariableFor(service)}).",
            HelpName = "url",
            Recursive = true,
        },
        StringComparer.Ordinal);

    private readonly Option<string?> _endpointsFile = new("--endpoints")
    {
        Description = $"JSON file of service name to gRPC address, e.g. {{\"order\": \"https://order:8081\"}} (or {EndpointMap.EndpointsFileVariable}).",
        HelpName = "file",
        Recursive = true,
    };

    private readonly Option<int> _basePort = new("--base-port")
    {
        Description = "Base port of the local host's layout, used for services given no address: service i on base+10i+1 in the order catalog, inventory, order, customer, tracking.",
        DefaultValueFactory = _ => PlatformServices.DefaultBasePort,
        CustomParser = ValueParsers.IntegerBetween(1, 65_000),
        HelpName = "port",
        Recursive = true,
    };

    // No default shown and never echoed: the key reaches the services in the x-api-key header only.
    private readonly Option<string?> _apiKey = new("--api-key")
    {
        Description = $"API key sent as x-api-key (or {ApiKeyVariable}, which keeps it out of the process list).",
        HelpName = "key",
        Recursive = true,
    };

    private readonly Option<TimeSpan?> _timeout = new("--timeout")
    {
        Description = "Deadline of every call, e.g. 5s, 2m; 10s when absent.",
        CustomParser = result => ValueParsers.Duration(result),
        HelpName = "duration",
        Recursive = true,
    };

    private readonly Option<bool> _json = new("--json")
    {
        Description = "Machine-readable JSON on stdout: no colour, no tables, no progress.",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        foreach (var option in _endpoints.Values)
        {
            root.Add(option);
        }

        root.Add(_endpointsFile);
        root.Add(_basePort);
        root.Add(_apiKey);
        root.Add(_timeout);
        root.Add(_json);
    }

    /// <exception cref="CtlException">An endpoint or the endpoints file is unusable.</exception>
    public CtlSettings Read(ParseResult parse, CtlTerminal terminal)
    {
        var flags = _endpoints.ToDictionary(pair => pair.Key, pair => parse.GetValue(pair.Value), StringComparer.Ordinal);
        var file = parse.GetValue(_endpointsFile) ?? terminal.Environment(EndpointMap.EndpointsFileVariable);
        var endpoints = EndpointMap.Resolve(flags, file, parse.GetValue(_basePort), terminal.Environment);
        var apiKey = parse.GetValue(_apiKey) is { Length: > 0 } flag ? flag : terminal.Environment(ApiKeyVariable);
        return new CtlSettings(endpoints, string.IsNullOrWhiteSpace(apiKey) ? null : apiKey.Trim(), parse.GetValue(_timeout) ?? DefaultTimeout, parse.GetValue(_json));
    }
}
