using System.Globalization;
using FluentValidation;

namespace Csp.Api.Publication;

/// <summary>
/// When a partnership's figures reach the public. With <c>requireSignoff</c> on, public outputs show a period's values of an
/// indicator only once they are signed off and their release time has passed (keyed readers see them before, marked
/// <c>embargoed</c>); the release calendar (<c>GET /releases</c>) pre-announces each release.
/// </summary>
/// <param name="RequireSignoff">Whether public outputs wait for sign-off and release; off for partnerships created before it existed.</param>
/// <param name="Time">The local time of day releases happen, <c>HH:mm</c> (24-hour), e.g. <c>09:30</c>.</param>
/// <param name="TimeZone">The IANA time zone of <c>time</c>, e.g. <c>Europe/London</c> (so 09:30 is 09:30 in summer and winter).</param>
/// <param name="EmbargoDays">Whole days, 0–90, between the day of sign-off and the day of release. A period is released at
/// <c>time</c> on the day of sign-off plus <c>embargoDays</c> (the next day when that moment has already passed at sign-off), and
/// never before the day after the period ends.</param>
public sealed record PublicRelease(bool RequireSignoff, string Time, string TimeZone, int EmbargoDays)
{
    public static readonly PublicRelease Off = new(false, "09:30", "Europe/London", 0);

    public const int MaxEmbargoDays = 90;

    /// <summary>The instant a period signed off at <paramref name="signedOffAt"/> is released (see <see cref="EmbargoDays"/>).</summary>
    public DateTimeOffset ReleaseAt(DateTimeOffset signedOffAt, DateOnly periodEnd)
    {
        // The zone was checked when it was set; a host that has since lost it (no tz database) releases in UTC rather than failing.
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var time = TimeOnly.ParseExact(Time, "HH:mm", CultureInfo.InvariantCulture);
        var localSignoff = TimeZoneInfo.ConvertTime(signedOffAt, zone);
        var day = DateOnly.FromDateTime(localSignoff.DateTime).AddDays(EmbargoDays);
        if (day <= periodEnd) day = periodEnd.AddDays(1);
        var release = At(zone, day, time);
        return release >= signedOffAt ? release : At(zone, day.AddDays(1), time);
    }

    /// <summary>The instant of <paramref name="time"/> on <paramref name="day"/> in <paramref name="zone"/>; a time the clocks skip
    /// (spring forward) is taken an hour later.</summary>
    private static DateTimeOffset At(TimeZoneInfo zone, DateOnly day, TimeOnly time)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local)) local = local.AddHours(1);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    internal static bool IsTime(string? text) => text is { Length: 5 } && TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture,
        DateTimeStyles.None, out _);

    internal static bool IsZone(string? text) =>
        text is { Length: > 0 and <= 64 } && text.All(c => c > ' ' && c < 127) && TimeZoneInfo.TryFindSystemTimeZoneById(text, out _);
}

/// <summary>Checks a partnership's <see cref="PublicRelease"/> as sent.</summary>
public sealed class PublicReleaseValidator : AbstractValidator<PublicRelease>
{
    public PublicReleaseValidator()
    {
        RuleFor(x => x.Time).Must(PublicRelease.IsTime).WithMessage("'publicRelease.time' is a local time HH:mm, e.g. 09:30.");
        RuleFor(x => x.TimeZone).Must(PublicRelease.IsZone).WithMessage("'publicRelease.timeZone' is an IANA time zone, e.g. Europe/London.");
        RuleFor(x => x.EmbargoDays).InclusiveBetween(0, PublicRelease.MaxEmbargoDays)
            .WithMessage($"'publicRelease.embargoDays' is a whole number of days from 0 to {PublicRelease.MaxEmbargoDays}.");
    }
}
