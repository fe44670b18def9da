using Platform.Ctl.Clients;
using Platform.Ctl.Commands;
using Platform.Ctl.Output;

namespace Platform.Ctl.Tests;

public sealed class EndpointAndValueTests
{
    [Fact]
    public void Defaults_follow_the_local_host_layout()
    {
        var endpoints = EndpointMap.Resolve(new Dictionary<string, string?>(), null, 5100, _ => null);

        Assert.Equal(
            ["http://127.0.0.1:5101/", "http://127.0.0.1:5111/", "http://127.0.0.1:5121/", "http://127.0.0.1:5131/", "http://127.0.0.1:5141/"],
            PlatformServices.All.Select(service => endpoints[service].ToString()));
        Assert.Equal("http://127.0.0.1:7021/", EndpointMap.Resolve(new Dictionary<string, string?>(), null, 7000, _ => null)["order"].ToString());
    }

    [Fact]
    public void A_flag_beats_the_environment_which_beats_the_file_which_beats_the_default()
    {
        var file = Path.Combine(Path.GetTempPath(), $"platformctl-endpoints-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "order": "https://file-order:8081", "catalog": "https://file-catalog:8081", "customer": "https://file-customer:8081" }""");
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["PLATFORMCTL_ENDPOINT_ORDER"] = "https://env-order:8081",
                ["PLATFORMCTL_ENDPOINT_CATALOG"] = "https://env-catalog:8081",
            };
            var flags = new Dictionary<string, string?> { ["order"] = "https://flag-order:8081" };

            var endpoints = EndpointMap.Resolve(flags, file, 5100, name => environment.GetValueOrDefault(name));

            Assert.Equal("https://flag-order:8081/", endpoints["order"].ToString());
            Assert.Equal("https://env-catalog:8081/", endpoints["catalog"].ToString());
            Assert.Equal("https://file-customer:8081/", endpoints["customer"].ToString());
            Assert.Equal("http://127.0.0.1:5141/", endpoints["tracking"].ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_endpoints_file_naming_an_unknown_service_is_refused()
    {
        var file = Path.Combine(Path.GetTempPath(), $"platformctl-endpoints-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "billing": "https://billing:8081" }""");
        try
        {
            var failure = Assert.Throws<CtlException>(() => EndpointMap.Resolve(new Dictionary<string, string?>(), file, 5100, _ => null));
            Assert.Equal(ExitCodes.Usage, failure.ExitCode);
            Assert.Contains("unknown service(s) billing", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("15m", 900_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("2d", 172_800_000)]
    [InlineData("00:01:00", 60_000)]
    public void Durations_read_as_operators_write_them(string text, long milliseconds)
    {
        Assert.True(ValueParsers.TryParseDuration(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("1h30")]
    [InlineData("soon")]
    [InlineData("5 m")]
    public void Durations_without_a_unit_or_with_junk_are_refused(string text) =>
        Assert.False(ValueParsers.TryParseDuration(text, out _));

    [Theory]
    [InlineData(250, "250ms")]
    [InlineData(1_500, "1.5s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(3_600_000, "1h")]
    [InlineData(97_200_000, "1d3h")]
    public void Durations_print_in_at_most_two_units(long milliseconds, string expected) =>
        Assert.Equal(expected, Format.Duration(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Times_without_an_offset_are_utc()
    {
        Assert.True(ValueParsers.TryParseTime("2026-11-01T08:00:00", out var time));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero), time);
        Assert.True(ValueParsers.TryParseTime("2026-11-01T09:00:00+01:00", out var withOffset));
        Assert.Equal(time, withOffset);
    }

    [Fact]
    public void The_hex_dump_shows_offsets_bytes_and_printable_text()
    {
        var dump = HexDump.Render("Hello, platform!\n\u0001"u8);

        Assert.Equal(
            "00000000  48 65 6c 6c 6f 2c 20 70  6c 61 74 66 6f 72 6d 21  |Hello, platform!|\n"
            + "00000010  0a 01                                             |..|\n",
            dump);
    }
}
