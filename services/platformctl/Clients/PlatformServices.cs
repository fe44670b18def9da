namespace Platform.Ctl.Clients;

/// <summary>The five domain services, in the order the local host lays out their ports.</summary>
public static class PlatformServices
{
    public const string Catalog = "catalog";
    public const string Inventory = "inventory";
    public const string Order = "order";
    public const string Customer = "customer";
    public const string Tracking = "tracking";

    public const int DefaultBasePort = 5100;

    public static IReadOnlyList<string> All { get; } = [Catalog, Inventory, Order, Customer, Tracking];

    /// <summary>
    /// The local host's layout: service i listens for gRPC on base + 10i + 1 (HTTP on base + 10i). Keep in step
    /// with services/local, which prints the same addresses at start.
    /// </summary>
    public static Uri DefaultEndpoint(string service, int basePort)
    {
        var index = IndexOf(service);
        return new Uri($"http://127.0.0.1:{basePort + (index * 10) + 1}");
    }

    public static string EnvironmentVariableFor(string service) => "PLATFORMCTL_ENDPOINT_" + service.ToUpperInvariant();

    private static int IndexOf(string service)
    {
        for (var index = 0; index < All.Count; index++)
        {
            if (All[index] == service)
            {
                return index;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(service), service, "not a platform service: " + string.Join(", ", All));
    }
}
