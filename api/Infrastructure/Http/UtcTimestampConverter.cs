using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Infrastructure;

/// <summary>Timestamps go out as RFC 3339 UTC with a Z (the contract's promise); any offset is accepted in.</summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().ToUniversalTime();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString(TypeHandlers.TimestampFormat, CultureInfo.InvariantCulture));
}
