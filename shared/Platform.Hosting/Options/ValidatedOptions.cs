using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Platform.Hosting;

public static class ValidatedOptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="sectionPath"/>, validates its data annotations (nested
    /// objects and lists included) and every registered <see cref="IValidateOptions{TOptions}"/>, and fails host start
    /// when any of them fails. Failure messages name the full configuration key, e.g.
    /// "Platform:Hosting:GrpcPort must be between 0 and 65535 (was 70000)", because that is what an operator greps
    /// for in a values file or an environment variable list.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(this IServiceCollection services, string sectionPath)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionPath);

        // A second registration of the same section must not bind again: binding appends to list properties.
        var alreadyRegistered = services.Any(descriptor =>
            descriptor.ServiceType == typeof(IValidateOptions<TOptions>)
            && descriptor.ImplementationInstance is ConfigurationKeyValidator<TOptions> existing
            && existing.SectionPath == sectionPath);
        if (alreadyRegistered)
        {
            return services.AddOptions<TOptions>();
        }

        services.AddSingleton<IValidateOptions<TOptions>>(new ConfigurationKeyValidator<TOptions>(Microsoft.Extensions.Options.Options.DefaultName, sectionPath));
        return services.AddOptions<TOptions>()
            .BindConfiguration(sectionPath)
            .ValidateOnStart();
    }
}

/// <summary>
/// Data-annotation validation that reports configuration keys instead of property names. The stock
/// <c>ValidateDataAnnotations()</c> says "The field GrpcPort must be between 0 and 65535.", which does not tell an
/// operator which section, list entry or environment variable to fix.
/// </summary>
public sealed class ConfigurationKeyValidator<TOptions> : IValidateOptions<TOptions> where TOptions : class
{
    private readonly string? _name;
    public ConfigurationKeyValidator(string? name, string sectionPath)
    {
        _name = name;
        SectionPath = sectionPath;
    }

    public string SectionPath { get; }

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        if (_name is not null && _name != name)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        ValidateObject(options, SectionPath, failures, new HashSet<object>(ReferenceEqualityComparer.Instance));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateObject(object instance, string path, List<string> failures, HashSet<object> visited)
    {
        if (!visited.Add(instance))
        {
            return;
        }

        foreach (var property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || !property.CanRead)
            {
                continue;
            }

            var key = ConfigurationKey(path, property.Name);
            var value = property.GetValue(instance);
            var context = new ValidationContext(instance) { MemberName = property.Name, DisplayName = key };
            foreach (var attribute in property.GetCustomAttributes<ValidationAttribute>(inherit: true))
            {
                if (attribute.GetValidationResult(value, context) is { } result && result != ValidationResult.Success)
                {
                    failures.Add(Describe(attribute, key, property.Name, value, result));
                }
            }

            ValidateChildren(value, key, failures, visited);
        }

        if (instance is IValidatableObject validatable)
        {
            foreach (var result in validatable.Validate(new ValidationContext(instance)))
            {
                var members = result.MemberNames.ToList();
                var keys = members.Count == 0 ? path : string.Join(", ", members.Select(member => ConfigurationKey(path, member)));
                failures.Add($"{keys}: {result.ErrorMessage}");
            }
        }
    }

    private static void ValidateChildren(object? value, string key, List<string> failures, HashSet<object> visited)
    {
        switch (value)
        {
            case null:
                return;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (entry.Value is not null && IsComplex(entry.Value.GetType()))
                    {
                        ValidateObject(entry.Value, ConfigurationKey(key, Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""), failures, visited);
                    }
                }
                return;
            case IEnumerable items when value is not string:
                var index = 0;
                foreach (var item in items)
                {
                    if (item is not null && IsComplex(item.GetType()))
                    {
                        ValidateObject(item, ConfigurationKey(key, index.ToString(CultureInfo.InvariantCulture)), failures, visited);
                    }
                    index++;
                }
                return;
            default:
                if (IsComplex(value.GetType()))
                {
                    ValidateObject(value, key, failures, visited);
                }
                return;
        }
    }

    private static bool IsComplex(Type type) =>
        type.IsClass && type != typeof(string) && type != typeof(Uri) && !typeof(Delegate).IsAssignableFrom(type)
        && type.Namespace?.StartsWith("System", StringComparison.Ordinal) != true;

    private static string ConfigurationKey(string path, string member) => path.Length == 0 ? member : $"{path}:{member}";

    private static string Describe(ValidationAttribute attribute, string key, string propertyName, object? value, ValidationResult result)
    {
        // A custom ErrorMessage is the author's wording; the built-in attributes get wording that starts with the key.
        var message = attribute.ErrorMessage is not null || attribute.ErrorMessageResourceType is not null
            ? result.ErrorMessage ?? $"{key} is invalid"
            : attribute switch
            {
                RequiredAttribute => $"{key} is required",
                RangeAttribute range => $"{key} must be between {Invariant(range.Minimum)} and {Invariant(range.Maximum)}",
                MinLengthAttribute min => $"{key} must have at least {min.Length} entries or characters",
                MaxLengthAttribute max => $"{key} must have at most {max.Length} entries or characters",
                StringLengthAttribute length when length.MinimumLength > 0 => $"{key} must be between {length.MinimumLength} and {length.MaximumLength} characters long",
                StringLengthAttribute length => $"{key} must be at most {length.MaximumLength} characters long",
                RegularExpressionAttribute regex => $"{key} must match {regex.Pattern}",
                _ => result.ErrorMessage ?? $"{key} is invalid",
            };

        if (value is null || attribute is RequiredAttribute)
        {
            return message;
        }

        // The offending value helps the operator, unless it is a secret that a misplaced key put into the wrong field.
        var shown = SensitiveData.IsSensitiveName(propertyName) ? SensitiveData.Redacted : Invariant(value);
        return $"{message} (was {shown})";
    }

    private static string Invariant(object? value) => value switch
    {
        null => "null",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable items when value is not string => "[" + string.Join(", ", items.Cast<object?>().Select(Invariant)) + "]",
        _ => value.ToString() ?? "",
    };
}
