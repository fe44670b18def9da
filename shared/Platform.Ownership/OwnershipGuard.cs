using System.Diagnostics;
using System.Diagnostics.Metrics;
using Platform.Messaging;

namespace Platform.Ownership;

public enum OwnershipRejectionReason
{
    NotOwner,
    UnknownSystem,
    UnknownObject,
    UnknownField,
}

public sealed record FieldRejection(string Field, OwnershipRejectionReason Reason, string? Owner);

// The verdict on one write: which of its fields the writing system may set and which it may not.
public sealed record OwnershipCheck(
    string System,
    string Object,
    IReadOnlyList<string> Accepted,
    IReadOnlyList<FieldRejection> Rejected)
{
    public bool IsFullyAccepted => Rejected.Count == 0;

    // e.g. "ownership policy: magento may not write product.price (owned by erp), product.colour (not a declared field)"
    public string Describe() => Rejected.Count == 0
        ? $"ownership policy: {System} may write {string.Join(", ", Accepted.Select(f => $"{Object}.{f}"))}"
        : $"ownership policy: {System} may not write {string.Join(", ", Rejected.Select(r => $"{Object}.{r.Field} ({Reason(r)})"))}";

    private string Reason(FieldRejection rejection) => rejection.Reason switch
    {
        OwnershipRejectionReason.NotOwner => $"owned by {rejection.Owner}",
        OwnershipRejectionReason.UnknownSystem => $"{System} is not a declared system",
        OwnershipRejectionReason.UnknownObject => $"{Object} is not a declared object",
        _ => "not a declared field",
    };
}

// Thrown for a write from a non-owner. It is an InvalidEventException, so a bus handler that lets it
// escape has the event dead-lettered at once with this message as the reason, never retried.
public sealed class OwnershipViolationException(OwnershipCheck check) : InvalidEventException(check.Describe())
{
    public OwnershipCheck Check { get; } = check;
}

// Every service asks this before applying a write from an external system. Check and EnsureOwner
// count each rejected field in platform.ownership.rejections; IsOwner is a plain question and counts nothing.
public sealed class OwnershipGuard
{
    public const string MeterName = "Platform.Ownership";

    // Not a valid name in a policy (names start with a letter or digit), so it never collides with a
    // real system, object or field. Used as the tag value for undeclared names, which come from
    // incoming data and must not become unbounded metric label values.
    private const string Undeclared = "_undeclared";

    private readonly Counter<long> _rejections;

    public OwnershipGuard(OwnershipPolicy policy, IMeterFactory meterFactory)
    {
        Policy = policy;
        _rejections = meterFactory.Create(MeterName).CreateCounter<long>(
            "platform.ownership.rejections", "{field}", "Field writes rejected because the writing system does not own the field.");
    }

    public OwnershipPolicy Policy { get; }

    public bool IsOwner(string system, string objectName, string field) =>
        Policy.OwnerOf(objectName, field) is { } owner && string.Equals(owner, system, StringComparison.OrdinalIgnoreCase);

    public OwnershipCheck Check(string system, string objectName, IEnumerable<string> fields)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(objectName);
        ArgumentNullException.ThrowIfNull(fields);

        var accepted = new List<string>();
        var rejected = new List<FieldRejection>();
        var systemDeclared = Policy.IsDeclaredSystem(system);
        var objectDeclared = Policy.IsDeclaredObject(objectName);
        foreach (var field in fields.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var owner = Policy.OwnerOf(objectName, field);
            FieldRejection? rejection = (systemDeclared, objectDeclared, owner) switch
            {
                (false, _, _) => new FieldRejection(field, OwnershipRejectionReason.UnknownSystem, owner),
                (_, false, _) => new FieldRejection(field, OwnershipRejectionReason.UnknownObject, null),
                (_, _, null) => new FieldRejection(field, OwnershipRejectionReason.UnknownField, null),
                _ when !string.Equals(owner, system, StringComparison.OrdinalIgnoreCase) =>
                    new FieldRejection(field, OwnershipRejectionReason.NotOwner, owner),
                _ => null,
            };

            if (rejection is null)
            {
                accepted.Add(field);
                continue;
            }

            rejected.Add(rejection);
            _rejections.Add(1, new TagList
            {
                { "object", objectDeclared ? objectName.ToLowerInvariant() : Undeclared },
                { "field", owner is not null ? field.ToLowerInvariant() : Undeclared },
                { "system", systemDeclared ? system.ToLowerInvariant() : Undeclared },
                { "reason", ReasonTag(rejection.Reason) },
            });
        }

        return new OwnershipCheck(system, objectName, accepted, rejected);
    }

    // For handlers that must refuse the whole write when any field is not theirs.
    public OwnershipCheck EnsureOwner(string system, string objectName, IEnumerable<string> fields)
    {
        var check = Check(system, objectName, fields);
        return check.IsFullyAccepted ? check : throw new OwnershipViolationException(check);
    }

    private static string ReasonTag(OwnershipRejectionReason reason) => reason switch
    {
        OwnershipRejectionReason.NotOwner => "not_owner",
        OwnershipRejectionReason.UnknownSystem => "unknown_system",
        OwnershipRejectionReason.UnknownObject => "unknown_object",
        _ => "unknown_field",
    };
}
