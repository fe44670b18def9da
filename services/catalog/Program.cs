using Platform.Hosting;
using Platform.Catalog;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatformDefaults(CatalogService.Name);
builder.AddCatalogService();

var app = builder.Build();
app.MapPlatformDefaults();
app.MapCatalogService();

app.Run();
