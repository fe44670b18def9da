using System.Security.Cryptography;
using System.Text;

namespace Platform.Ownership;

// A validated ownership policy: every declared field has exactly one owner among the declared systems.
// Names compare case-insensitively; the file itself may only use lowercase names.
public sealed class OwnershipPolicy
{
    public const string DefaultBuiltIn = "magento";

    private const string ResourcePrefix = "Platform.Ownership.Policies.";

    private readonly Dictionary<string, Dictionary<string, string>> _ownerByObjectField;
    private readonly HashSet<string> _systems;

    internal OwnershipPolicy(
        string source,
        string fingerprint,
        IReadOnlyList<string> systems,
        IReadOnlyList<(string Object, IReadOnlyList<(string Field, string Owner)> Fields)> objects)
    {
        Source = source;
        Fingerprint = fingerprint;
        Systems = systems;
        _systems = new HashSet<string>(systems, StringComparer.OrdinalIgnoreCase);
        _ownerByObjectField = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        var views = new List<ObjectOwnershipView>();
        foreach (var (objectName, fields) in objects)
        {
            _ownerByObjectField[objectName] = fields.ToDictionary(f => f.Field, f => f.Owner, StringComparer.OrdinalIgnoreCase);
            views.Add(new ObjectOwnershipView(objectName, fields.Select(f => new FieldOwnershipView(f.Field, f.Owner)).ToList()));
        }

        View = new OwnershipPolicyView(source, fingerprint, systems, views);
    }

    // Where the policy came from: a file path or "built-in:<name>".
    public string Source { get; }

    // First 16 hex digits of the SHA-256 of the policy text: lets operators check that every service
    // runs the same policy.
    public string Fingerprint { get; }

    public IReadOnlyList<string> Systems { get; }

    // Serialisable copy for gRPC / JSON endpoints: objects, fields and the owner of each.
    public OwnershipPolicyView View { get; }

    public static IReadOnlyList<string> BuiltInNames { get; } = typeof(OwnershipPolicy).Assembly
        .GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^".yaml".Length])
        .Order(StringComparer.Ordinal)
        .ToList();

    public bool IsDeclaredSystem(string system) => _systems.Contains(system);

    public bool IsDeclaredObject(string objectName) => _ownerByObjectField.ContainsKey(objectName);

    public bool IsDeclaredField(string objectName, string field) =>
        _ownerByObjectField.TryGetValue(objectName, out var fields) && fields.ContainsKey(field);

    public string? OwnerOf(string objectName, string field) =>
        _ownerByObjectField.TryGetValue(objectName, out var fields) && fields.TryGetValue(field, out var owner) ? owner : null;

    // object -> fields, for everything one system is the source of truth for.
    public IReadOnlyDictionary<string, IReadOnlyList<string>> FieldsOwnedBy(string system) =>
        View.Objects
            .Select(o => (o.Name, Fields: (IReadOnlyList<string>)o.Fields.Where(f => string.Equals(f.Owner, system, StringComparison.OrdinalIgnoreCase)).Select(f => f.Name).ToList()))
            .Where(o => o.Fields.Count > 0)
            .ToDictionary(o => o.Name, o => o.Fields, StringComparer.OrdinalIgnoreCase);

    // Throws OwnershipPolicyException listing every problem in the text.
    public static OwnershipPolicy Parse(string yaml, string source) =>
        OwnershipPolicyParser.Parse(yaml, source, ComputeFingerprint(yaml));

    public static OwnershipPolicy LoadFile(string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new OwnershipPolicyException(fullPath, [$"policy file {fullPath} does not exist"]);
        }

        return Parse(File.ReadAllText(fullPath), fullPath);
    }

    public static OwnershipPolicy LoadBuiltIn(string name = DefaultBuiltIn) => Parse(ReadBuiltIn(name), $"built-in:{name}");

    public static string ReadBuiltIn(string name)
    {
        using var stream = typeof(OwnershipPolicy).Assembly.GetManifestResourceStream(ResourcePrefix + name + ".yaml")
            ?? throw new OwnershipPolicyException(
                $"built-in:{name}", [$"there is no built-in policy named '{name}' (built-in: {string.Join(", ", BuiltInNames)})"]);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static string ComputeFingerprint(string yaml) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)))[..16];
}

public sealed record OwnershipPolicyView(
    string Source,
    string Fingerprint,
    IReadOnlyList<string> Systems,
    IReadOnlyList<ObjectOwnershipView> Objects);

public sealed record ObjectOwnershipView(string Name, IReadOnlyList<FieldOwnershipView> Fields);

public sealed record FieldOwnershipView(string Name, string Owner);

public sealed class OwnershipPolicyException(string source, IReadOnlyList<string> problems)
    : Exception(FormatMessage(source, problems))
{
    public string PolicySource { get; } = source;

    // Each problem on its own, e.g. "product.price is owned by both erp and pim".
    public IReadOnlyList<string> Problems { get; } = problems;

    private static string FormatMessage(string source, IReadOnlyList<string> problems)
    {
        var builder = new StringBuilder()
            .Append("ownership policy ").Append(source).Append(" is invalid (")
            .Append(problems.Count).Append(problems.Count == 1 ? " problem):" : " problems):");
        foreach (var problem in problems)
        {
            // Each line stands alone, so any one of them grepped out of a log still says what is wrong.
            builder.Append('\n').Append("ownership policy: ").Append(problem);
        }

        return builder.ToString();
    }
}
