using Platform.Messaging.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Platform.Messaging.Kafka.Tests;

public sealed class KafkaOptionsTests
{
    private static KafkaOptions Valid() => new() { BootstrapServers = "kafka-0:9092,kafka-1:9092", ClientId = "order" };

    [Fact]
    public void Valid_settings_have_no_errors() =>
        Assert.Empty(Valid().Validate());

    [Fact]
    public void Missing_bootstrap_servers_are_reported_with_an_example()
    {
        var options = Valid();
        options.BootstrapServers = " ";

        var error = Assert.Single(options.Validate());
        Assert.Contains("Kafka:BootstrapServers is required", error);
        Assert.Contains("kafka-0:9092", error);
    }

    [Fact]
    public void An_empty_entry_in_the_bootstrap_list_is_reported()
    {
        var options = Valid();
        options.BootstrapServers = "kafka-0:9092,,kafka-1:9092";

        Assert.Contains("empty entry", Assert.Single(options.Validate()));
    }

    [Theory]
    [InlineData("ProducerSettings", "acks", "1")]
    [InlineData("ProducerSettings", "enable.idempotence", "false")]
    [InlineData("ProducerSettings", "transactional.id", "orders")]
    [InlineData("ConsumerSettings", "enable.auto.offset.store", "true")]
    [InlineData("ConsumerSettings", "enable.auto.commit", "false")]
    [InlineData("ConsumerSettings", "auto.offset.reset", "latest")]
    [InlineData("ConsumerSettings", "group.id", "other")]
    [InlineData("ClientSettings", "acks", "0")]
    [InlineData("ClientSettings", "bootstrap.servers", "elsewhere:9092")]
    public void Settings_that_would_break_a_delivery_guarantee_are_refused(string property, string key, string value)
    {
        var options = Valid();
        Settings(options, property)[key] = value;

        var error = Assert.Single(options.Validate());
        Assert.StartsWith($"Kafka:{property}:{key} = '{value}' is not allowed:", error);
    }

    [Theory]
    [InlineData("ProducerSettings", "acks", "all")]
    [InlineData("ProducerSettings", "linger.ms", "20")]
    [InlineData("ConsumerSettings", "auto.offset.reset", "earliest")]
    [InlineData("ConsumerSettings", "session.timeout.ms", "10000")]
    [InlineData("ClientSettings", "security.protocol", "SASL_SSL")]
    [InlineData("ClientSettings", "sasl.mechanism", "SCRAM-SHA-512")]
    public void Tuning_and_security_settings_pass_through(string property, string key, string value)
    {
        var options = Valid();
        Settings(options, property)[key] = value;

        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Every_problem_is_listed_at_once_when_the_transport_is_built()
    {
        var options = Valid();
        options.BootstrapServers = "";
        options.PollTimeout = TimeSpan.Zero;
        options.ProducerSettings["acks"] = "1";

        var failure = Assert.Throws<OptionsValidationException>(() => new KafkaTransport(options));
        Assert.Equal(3, failure.Failures.Count());
    }

    [Fact]
    public async Task Registration_makes_one_kafka_transport_the_message_transport()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddKafkaTransport(o => o.BootstrapServers = "127.0.0.1:9");
        await using var provider = services.BuildServiceProvider();

        var transport = provider.GetRequiredService<IMessageTransport>();
        Assert.IsType<KafkaTransport>(transport);
        Assert.Same(transport, provider.GetRequiredService<IMessageTransport>());
        Assert.Equal("kafka", transport.Name);
    }

    [Fact]
    public async Task Registration_with_invalid_settings_fails_with_the_reason()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddKafkaTransport(o => o.ConsumerSettings["enable.auto.commit"] = "false");
        await using var provider = services.BuildServiceProvider();

        var failure = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IMessageTransport>());
        Assert.Contains(failure.Failures, f => f.Contains("BootstrapServers is required", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("enable.auto.commit", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Settings_bind_from_configuration_including_librdkafka_properties()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "kafka-0:9093",
            ["Kafka:ClientSettings:security.protocol"] = "SASL_SSL",
            ["Kafka:ClientSettings:sasl.mechanism"] = "SCRAM-SHA-512",
            ["Kafka:ProducerSettings:linger.ms"] = "10",
            ["Kafka:HandlerRetryDelay"] = "00:00:02",
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddKafkaTransport(configuration.GetSection(KafkaOptions.SectionName), o => o.ClientId = "inventory");
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<KafkaOptions>>().Value;
        Assert.Equal("kafka-0:9093", options.BootstrapServers);
        Assert.Equal("inventory", options.ClientId);
        Assert.Equal("SASL_SSL", options.ClientSettings["security.protocol"]);
        Assert.Equal("SCRAM-SHA-512", options.ClientSettings["sasl.mechanism"]);
        Assert.Equal("10", options.ProducerSettings["linger.ms"]);
        Assert.Equal(TimeSpan.FromSeconds(2), options.HandlerRetryDelay);
    }

    [Fact]
    public async Task A_consumer_needs_a_group_and_topics()
    {
        await using var transport = new KafkaTransport(Valid());
        static Task Handler(ReceivedMessage message, CancellationToken token) => Task.CompletedTask;

        Assert.Throws<ArgumentException>(() => transport.CreateConsumer(new ConsumerSettings("orders", []), Handler));
        Assert.Throws<ArgumentException>(() => transport.CreateConsumer(new ConsumerSettings(" ", ["order.orders.v1"]), Handler));
        Assert.Throws<ArgumentOutOfRangeException>(() => transport.CreateConsumer(new ConsumerSettings("orders", ["order.orders.v1"]) { MaxBufferedPerPartition = 0 }, Handler));
    }

    private static Dictionary<string, string> Settings(KafkaOptions options, string property) => property switch
    {
        nameof(KafkaOptions.ProducerSettings) => options.ProducerSettings,
        nameof(KafkaOptions.ConsumerSettings) => options.ConsumerSettings,
        _ => options.ClientSettings,
    };
}
