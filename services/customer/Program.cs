using Platform.Hosting;
using Platform.Customer;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatformDefaults(CustomerService.Name);
builder.AddCustomerService();

var app = builder.Build();
app.MapPlatformDefaults();
app.MapCustomerService();

app.Run();
