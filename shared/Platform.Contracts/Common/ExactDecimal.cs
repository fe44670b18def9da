namespace Platform.Contracts.Common.V1;

/// <summary>
/// Conversions between <see cref="decimal"/> and the units + nanos shape of <see cref="Money"/> and
/// <see cref="DecimalValue"/>. Both directions are exact or they throw: a silently rounded amount or
/// quantity would surface weeks later as a reconciliation mismatch.
/// </summary>
internal static class ExactDecimal
{
    private const decimal NanosPerUnit = 1_000_000_000m;
    private const int MaxNanos = 999_999_999;

    public static (long Units, int Nanos) Split(decimal value, string what)
    {
        var units = decimal.Truncate(value);
        if (units < long.MinValue || units > long.MaxValue)
        {
            throw new OverflowException($"{what} {value} has a whole part outside the range of units (a 64-bit integer)");
        }

        var scaledFraction = (value - units) * NanosPerUnit;
        if (scaledFraction != decimal.Truncate(scaledFraction))
        {
            throw new ArgumentException($"{what} {value} has more than 9 fractional digits and cannot be represented exactly", nameof(value));
        }

        return ((long)units, (int)scaledFraction);
    }

    public static decimal Join(long units, int nanos, string what)
    {
        if (nanos is < -MaxNanos or > MaxNanos)
        {
            throw new InvalidOperationException($"{what} has nanos {nanos} outside -999,999,999..999,999,999");
        }

        if ((units > 0 && nanos < 0) || (units < 0 && nanos > 0))
        {
            throw new InvalidOperationException($"{what} has units {units} and nanos {nanos} of different signs");
        }

        return units + (nanos / NanosPerUnit);
    }
}

public sealed partial class Money
{
    /// <exception cref="ArgumentException">The amount has more than nine fractional digits.</exception>
    /// <exception cref="OverflowException">The whole part does not fit in 64 bits.</exception>
    public static Money FromDecimal(decimal amount, string currencyCode)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(currencyCode);
        var (units, nanos) = ExactDecimal.Split(amount, "amount");
        return new Money { CurrencyCode = currencyCode, Units = units, Nanos = nanos };
    }

    /// <exception cref="InvalidOperationException">nanos is out of range or its sign differs from units.</exception>
    public decimal ToDecimal() => ExactDecimal.Join(Units, Nanos, $"money in {CurrencyCode}");
}

public sealed partial class DecimalValue
{
    /// <exception cref="ArgumentException">The value has more than nine fractional digits.</exception>
    /// <exception cref="OverflowException">The whole part does not fit in 64 bits.</exception>
    public static DecimalValue FromDecimal(decimal value)
    {
        var (units, nanos) = ExactDecimal.Split(value, "value");
        return new DecimalValue { Units = units, Nanos = nanos };
    }

    /// <exception cref="InvalidOperationException">nanos is out of range or its sign differs from units.</exception>
    public decimal ToDecimal() => ExactDecimal.Join(Units, Nanos, "decimal value");
}
