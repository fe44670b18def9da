using Platform.Hosting;
using Platform.Inventory;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatformDefaults(InventoryService.Name);
builder.AddInventoryService();

var app = builder.Build();
app.MapPlatformDefaults();
app.MapInventoryService();

app.Run();
