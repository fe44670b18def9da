using Platform.Contracts.Common.V1;

namespace Platform.Contracts.Tests;

public sealed class ValueTests
{
    [Theory]
    [InlineData("0", 0L, 0)]
    [InlineData("12.30", 12L, 300_000_000)]
    [InlineData("-1.75", -1L, -750_000_000)]
    [InlineData("-0.5", 0L, -500_000_000)]
    [InlineData("0.000000001", 0L, 1)]
    [InlineData("9223372036854775807.999999999", long.MaxValue, 999_999_999)]
    public void Money_converts_exactly_both_ways(string amount, long units, int nanos)
    {
        var value = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);

        var money = Money.FromDecimal(value, "EUR");

        Assert.Equal(units, money.Units);
        Assert.Equal(nanos, money.Nanos);
        Assert.Equal("EUR", money.CurrencyCode);
        Assert.Equal(value, money.ToDecimal());
    }

    [Fact]
    public void An_amount_that_cannot_be_kept_exactly_is_refused_not_rounded()
    {
        Assert.Throws<ArgumentException>(() => Money.FromDecimal(0.0000000001m, "EUR"));
        Assert.Throws<OverflowException>(() => DecimalValue.FromDecimal(decimal.MaxValue));
        Assert.Throws<ArgumentException>(() => Money.FromDecimal(1m, " "));
    }

    [Fact]
    public void A_malformed_wire_value_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() => new Money { CurrencyCode = "EUR", Units = 1, Nanos = -1 }.ToDecimal());
        Assert.Throws<InvalidOperationException>(() => new DecimalValue { Units = 0, Nanos = 1_000_000_000 }.ToDecimal());
    }

    [Fact]
    public void Quantities_keep_fractions_of_goods_sold_by_weight()
    {
        var quantity = DecimalValue.FromDecimal(2.125m);

        Assert.Equal(2, quantity.Units);
        Assert.Equal(125_000_000, quantity.Nanos);
        Assert.Equal(2.125m, DecimalValue.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(quantity)).ToDecimal());
    }

    [Theory]
    [InlineData(FailureKind.Malformed, "malformed")]
    [InlineData(FailureKind.Invalid, "invalid")]
    [InlineData(FailureKind.Exhausted, "exhausted")]
    public void Failure_kinds_map_to_the_header_values(FailureKind kind, string header)
    {
        Assert.Equal(header, kind.ToHeaderValue());
        Assert.Equal(kind, FailureKindNames.FromHeaderValue(header));
    }

    [Fact]
    public void An_unknown_failure_kind_header_is_unspecified()
    {
        Assert.Equal(FailureKind.Unspecified, FailureKindNames.FromHeaderValue("exploded"));
        Assert.Equal(FailureKind.Unspecified, FailureKindNames.FromHeaderValue(null));
    }
}
