using Platform.Hosting;
using Platform.Customer.Api;
using Platform.Customer.Infrastructure;

namespace Platform.Customer;

/// <summary>Everything the customer service adds to the platform defaults, in one place.</summary>
public static class CustomerService
{
    public const string Name = "customer";

    public static WebApplicationBuilder AddCustomerService(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CustomerRepository>();
        return builder;
    }

    public static WebApplication MapCustomerService(this WebApplication app)
    {
        app.MapGrpcService<CustomerApi>().RequireScope(PlatformScopes.Read(Name));
        return app;
    }
}
