using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Common.V1;

namespace Platform.Ctl.Output;

/// <summary>How values read in tables: invariant culture, UTC, ages rounded to one unit.</summary>
public static class Format
{
    /// <summary>At most two units, the way operators write them: 250ms, 1.5s, 1m30s, 2h5m, 3d4h.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return FormattableString.Invariant($"{Math.Round(duration.TotalMilliseconds):0}ms");
        }

        if (duration < TimeSpan.FromMinutes(1))
        {
            return FormattableString.Invariant($"{duration.TotalSeconds:0.#}s");
        }

        var (major, majorUnit, minor, minorUnit) = duration switch
        {
            { TotalHours: < 1 } => (duration.Minutes, "m", duration.Seconds, "s"),
            { TotalDays: < 1 } => (duration.Hours, "h", duration.Minutes, "m"),
            _ => ((int)duration.TotalDays, "d", duration.Hours, "h"),
        };
        return minor == 0
            ? FormattableString.Invariant($"{major}{majorUnit}")
            : FormattableString.Invariant($"{major}{majorUnit}{minor}{minorUnit}");
    }

    public static string Age(Timestamp? time, DateTimeOffset now)
    {
        if (time is null)
        {
            return "never";
        }

        var age = now - time.ToDateTimeOffset();
        return age < TimeSpan.Zero ? "just now" : Duration(Coarse(age)) + " ago";
    }

    public static string Time(Timestamp? time) =>
        time is null ? "-" : time.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string TimeWithAge(Timestamp? time, DateTimeOffset now) =>
        time is null ? "-" : $"{Time(time)} ({Age(time, now)})";

    public static string Money(Money? money) =>
        money is null ? "-" : $"{Amount(money)} {money.CurrencyCode}";

    public static string Amount(Money money) =>
        money.ToDecimal().ToString("#,0.00#######", CultureInfo.InvariantCulture);

    /// <summary>Quantities are exact decimals (goods sold by weight or length): 1,250, 2.5, 0.125; "-" when absent.</summary>
    public static string Quantity(DecimalValue? quantity) =>
        quantity is null ? "-" : quantity.ToDecimal().ToString("#,0.#########", CultureInfo.InvariantCulture);

    public static string Count(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Kind(FailureKind kind) => kind == FailureKind.Unspecified ? "-" : kind.ToHeaderValue();

    // Whole seconds: an age of 3.4s reads as "3s ago", not "3.4s ago".
    private static TimeSpan Coarse(TimeSpan age) => TimeSpan.FromSeconds(Math.Floor(age.TotalSeconds));
}
