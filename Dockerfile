# Multi-stage: build and publish with the SDK, run on the ASP.NET runtime as a non-root user.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props global.json ./
COPY api/Csp.Api.csproj api/
RUN dotnet restore api/Csp.Api.csproj
COPY api/ api/
COPY db/ db/
COPY openapi/ openapi/
RUN dotnet publish api/Csp.Api.csproj -c Release -o /app --no-restore -p:OpenApiGenerateDocuments=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The image's built-in unprivileged user; the SQLite default lives in a folder it owns.
RUN mkdir -p /app/data && chown -R $APP_UID /app/data
USER $APP_UID
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production \
    ConnectionStrings__Csp="Data Source=/app/data/csp.db"
EXPOSE 8080
VOLUME ["/app/data"]
ENTRYPOINT ["dotnet", "Csp.Api.dll"]
