using Csp.Api.Infrastructure;
using Csp.Api.Infrastructure.Data;

var builder = WebApplication.CreateBuilder(args);

builder.AddCspDatabase();
builder.AddCspApi();

var app = builder.Build();

if (args.Contains("migrate"))
{
    app.MigrateDatabase();
    return;
}

app.PrepareDatabase();
app.UseCspApi();
app.MapCspApi();

app.Run();
