using Platform.Hosting;
using Platform.Order;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatformDefaults(OrderService.Name);
builder.AddOrderService();

var app = builder.Build();
app.MapPlatformDefaults();
app.MapOrderService();

app.Run();
