using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Platform.Hosting.Tests.Protos;

namespace Platform.Hosting.Tests;

public sealed partial class RedactionTests
{
    [Fact]
    public void Sensitive_state_values_are_redacted_in_state_and_message()
    {
        using var capture = new LogCapture();
        var logger = CreateLogger(capture);

        logger.LogInformation("Customer {Email} ({FirstName} {LastName}, {Phone}) logged in with {Password} for order {OrderId}",
            "alice@example.com", "Alice", "Liddell", "+44 20 7946 0958", "hunter2!", 4711);

        var line = Assert.Single(capture.Lines);
        var message = line.GetProperty("message").GetString()!;
        var state = line.GetProperty("state");
        Assert.Equal("Customer [redacted] ([redacted] [redacted], [redacted]) logged in with [redacted] for order 4711", message);
        Assert.Equal("[redacted]", state.GetProperty("Email").GetString());
        Assert.Equal("[redacted]", state.GetProperty("Password").GetString());
        Assert.Equal(4711, state.GetProperty("OrderId").GetInt32());
        AssertNoneOf(capture.Text, "alice@example.com", "Alice", "Liddell", "7946", "hunter2");
    }

    [Theory]
    [InlineData("ApiKey")]
    [InlineData("api_key")]
    [InlineData("x-api-key")]
    [InlineData("Authorization")]
    [InlineData("ClientSecret")]
    [InlineData("AccessToken")]
    [InlineData("Name")]
    [InlineData("ShippingAddress")]
    [InlineData("Street")]
    [InlineData("Postcode")]
    [InlineData("EmailAddress")]
    public void Names_that_look_like_secrets_or_pii_are_sensitive(string name) =>
        Assert.True(SensitiveData.IsSensitiveName(name));

    [Theory]
    [InlineData("OrderId")]
    [InlineData("Sku")]
    [InlineData("Topic")]
    [InlineData("ServiceName")]
    [InlineData("ElapsedMilliseconds")]
    [InlineData("StatusCode")]
    [InlineData("ApiKeyCount")]
    [InlineData("TokenType")]
    [InlineData("AuthenticationScheme")]
    public void Ordinary_names_are_not_sensitive(string name) =>
        Assert.False(SensitiveData.IsSensitiveName(name));

    [Fact]
    public void Emails_and_tokens_inside_non_sensitive_values_and_messages_are_masked()
    {
        using var capture = new LogCapture();
        var logger = CreateLogger(capture);
        var jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvcHMifQ.c2lnbmF0dXJlLWJ5dGVz";

        logger.LogWarning("Webhook from {Source} rejected", "bob.smith+shop@example.co.uk");
#pragma warning disable CA2254 // a message built from data is exactly what this test needs to prove is masked
        logger.LogWarning($"Upstream said: Authorization: Bearer {jwt} for carol@example.org; redis password=s3cr3t,ssl=true");
#pragma warning restore CA2254

        var lines = capture.Lines;
        Assert.Equal("Webhook from [redacted] rejected", lines[0].GetProperty("message").GetString());
        Assert.Equal("[redacted]", lines[0].GetProperty("state").GetProperty("Source").GetString());
        var second = lines[1].GetProperty("message").GetString()!;
        Assert.Contains("Bearer [redacted]", second);
        Assert.Contains("password=[redacted]", second);
        Assert.Contains("ssl=true", second);
        AssertNoneOf(capture.Text, "bob.smith", "carol@example.org", jwt, "eyJzdWIiOiJvcHMifQ", "s3cr3t");
    }

    [Fact]
    public void Source_generated_log_messages_are_redacted_too()
    {
        using var capture = new LogCapture();

        LogCustomerMerged(CreateLogger(capture), "CUST-42", "dave@example.com", "12 Baker Street");

        var line = Assert.Single(capture.Lines);
        Assert.Equal("Merged customer CUST-42 (e-mail [redacted], address [redacted])", line.GetProperty("message").GetString());
        Assert.Equal(1201, line.GetProperty("eventId").GetInt32());
        AssertNoneOf(capture.Text, "dave@example.com", "Baker");
    }

    [Fact]
    public void Scopes_and_exceptions_are_redacted()
    {
        using var capture = new LogCapture();
        var logger = CreateLogger(capture);

        using (logger.BeginScope(new Dictionary<string, object?> { ["CorrelationId"] = "c-1", ["Email"] = "erin@example.com" }))
        using (logger.BeginScope("Processing message for frank@example.com"))
        {
            logger.LogError(new InvalidOperationException("CRM rejected grace@example.com"), "Sync failed for {CustomerId}", "CUST-7");
        }

        var line = Assert.Single(capture.Lines);
        var scopes = line.GetProperty("scopes");
        Assert.Equal("c-1", scopes[0].GetProperty("CorrelationId").GetString());
        Assert.Equal("[redacted]", scopes[0].GetProperty("Email").GetString());
        Assert.Equal("Processing message for [redacted]", scopes[1].GetString());
        Assert.Contains("CRM rejected [redacted]", line.GetProperty("exception").GetString());
        AssertNoneOf(capture.Text, "erin@", "frank@", "grace@");
    }

    [Theory]
    [InlineData("AuthenticationScheme: ApiKey was not authenticated.")]
    [InlineData("Accepting 3 API keys; bearer tokens from https://idp.example.test")]
    [InlineData("Use the Basic plan")]
    public void Prose_that_mentions_credential_schemes_is_left_alone(string message) =>
        Assert.Equal(message, SensitiveData.MaskText(message));

    [Theory]
    [InlineData("authorization: ApiKey reader-key-0123456789", "authorization: ApiKey [redacted]")]
    [InlineData("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic [redacted]")]
    [InlineData("bearer abcdefghijklmnopqrstuvwxyzABCD", "bearer [redacted]")]
    [InlineData("redis:6379,password=p@ss;w0rd,ssl=true", "redis:6379,password=[redacted],ssl=true")]
    public void Credentials_in_text_are_masked(string text, string expected) =>
        Assert.Equal(expected, SensitiveData.MaskText(text));

    [Fact]
    public void Listening_urls_stay_readable()
    {
        using var capture = new LogCapture();

        CreateLogger(capture).LogInformation("Now listening on: {address}", "http://127.0.0.1:8080");

        Assert.Equal("Now listening on: http://127.0.0.1:8080", Assert.Single(capture.Lines).GetProperty("message").GetString());
    }

    [Fact]
    public void Lines_are_json_with_level_category_and_service()
    {
        using var capture = new LogCapture();

        CreateLogger(capture).LogInformation("Started");

        var line = Assert.Single(capture.Lines);
        Assert.Equal("Information", line.GetProperty("level").GetString());
        Assert.Equal("Test.Category", line.GetProperty("category").GetString());
        Assert.Equal(TestApp.ServiceName, line.GetProperty("service").GetString());
        Assert.True(DateTimeOffset.TryParse(line.GetProperty("timestamp").GetString(), out _));
    }

    [Fact]
    public void The_app_writes_console_logs_through_the_redacting_formatter()
    {
        var builder = TestApp.CreateBuilder(TestApp.DefaultSettings());
        using var app = builder.Build();

        var consoleOptions = app.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        var formatter = app.Services.GetServices<ConsoleFormatter>().Single(candidate => candidate.Name == consoleOptions.FormatterName);
        var providers = app.Services.GetServices<ILoggerProvider>().ToList();

        using var capture = new LogCapture(formatter);
        LoggerFactory.Create(logging => logging.AddProvider(capture)).CreateLogger("Wiring").LogInformation("Signed up {Email}", "heidi@example.com");

        Assert.Equal(PlatformJsonConsoleFormatter.FormatterName, consoleOptions.FormatterName);
        Assert.IsType<PlatformJsonConsoleFormatter>(formatter);
        Assert.IsType<ConsoleLoggerProvider>(Assert.Single(providers));
        var line = Assert.Single(capture.Lines);
        Assert.Equal(TestApp.ServiceName, line.GetProperty("service").GetString());
        Assert.Equal("Signed up [redacted]", line.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Rejected_api_keys_are_never_logged()
    {
        using var capture = new LogCapture();
        const string presentedKey = "presented-but-unknown-key-5c1d";
        await using var app = await TestApp.StartAsync(configureBuilder: builder => builder.Logging.AddProvider(capture));

        await Assert.ThrowsAsync<RpcException>(() =>
            app.Echo.PingAsync(new PingRequest(), TestApp.ApiKey(presentedKey), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);
        await Assert.ThrowsAsync<RpcException>(() =>
            app.Echo.PingAsync(new PingRequest(), new Metadata { { "authorization", "ApiKey " + presentedKey } }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);

        Assert.Contains("Rejected an unknown API key", capture.Text);
        AssertNoneOf(capture.Text, presentedKey, presentedKey[..12], TestApp.ReaderKey, TestApp.AdminKey);
    }

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Merged customer {CustomerId} (e-mail {Email}, address {Address})")]
    private static partial void LogCustomerMerged(ILogger logger, string customerId, string email, string address);

    private static ILogger CreateLogger(LogCapture capture) =>
        LoggerFactory.Create(logging => logging.AddProvider(capture).SetMinimumLevel(LogLevel.Trace)).CreateLogger("Test.Category");

    private static void AssertNoneOf(string text, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }
}
