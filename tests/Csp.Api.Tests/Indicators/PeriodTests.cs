using Csp.Api.Indicators;
using Csp.Api.Infrastructure.Data;

namespace Csp.Api.Tests.Indicators;

public sealed class PeriodTests
{
    [Theory]
    [InlineData("2024-06", PeriodType.Month, "2024-06", "2024-06-01", "2024-06-30")]
    [InlineData("202406", PeriodType.Month, "2024-06", "2024-06-01", "2024-06-30")]
    [InlineData("2024-02", PeriodType.Month, "2024-02", "2024-02-01", "2024-02-29")]
    [InlineData("2024-Q2", PeriodType.Quarter, "2024-Q2", "2024-04-01", "2024-06-30")]
    [InlineData("2024Q4", PeriodType.Quarter, "2024-Q4", "2024-10-01", "2024-12-31")]
    [InlineData("2024", PeriodType.Year, "2024", "2024-01-01", "2024-12-31")]
    [InlineData("2024-25", PeriodType.FinancialYear, "2024-25", "2024-04-01", "2025-03-31")]
    [InlineData("2024April", PeriodType.FinancialYear, "2024-25", "2024-04-01", "2025-03-31")]
    [InlineData("2099-00", PeriodType.FinancialYear, "2099-00", "2099-04-01", "2100-03-31")]
    public void Parses_canonical_and_DHIS2_forms_to_the_canonical_period_and_its_dates(string text, PeriodType type, string canonical, string start, string end)
    {
        var parsed = Period.Parse(text, type);

        Assert.Equal(PeriodParseStatus.Ok, parsed.Status);
        Assert.Equal(canonical, parsed.Period.Canonical);
        Assert.Equal(DateOnly.Parse(start), parsed.Period.Start);
        Assert.Equal(DateOnly.Parse(end), parsed.Period.End);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("2024-13")]
    [InlineData("2024-00")]
    [InlineData("202413")]
    [InlineData("2024-Q5")]
    [InlineData("2024Q0")]
    [InlineData("2024-26")]
    [InlineData("2024april")]
    [InlineData("24-06")]
    [InlineData("2024-6")]
    [InlineData("June 2024")]
    [InlineData("2024-06-01")]
    [InlineData("１２３４")]
    public void Rejects_text_that_is_no_period(string? text)
    {
        Assert.Empty(Period.Candidates(text));
        Assert.Equal(PeriodParseStatus.Invalid, Period.Parse(text, PeriodType.Month).Status);
    }

    [Theory]
    [InlineData("2024-06", PeriodType.Quarter)]
    [InlineData("2024-Q2", PeriodType.Month)]
    [InlineData("2024", PeriodType.FinancialYear)]
    [InlineData("2024-25", PeriodType.Year)]
    public void A_valid_period_of_another_type_is_a_mismatch_not_invalid(string text, PeriodType expected) =>
        Assert.Equal(PeriodParseStatus.WrongType, Period.Parse(text, expected).Status);

    [Fact]
    public void Text_that_reads_as_month_or_financial_year_takes_the_expected_type()
    {
        Assert.Equal(new Period(PeriodType.Month, 2011, 12), Period.Parse("2011-12", PeriodType.Month).Period);
        Assert.Equal(new Period(PeriodType.FinancialYear, 2011, 0), Period.Parse("2011-12", PeriodType.FinancialYear).Period);
        Assert.Equal("2011-12", Period.Parse("2011-12", PeriodType.FinancialYear).Period.Canonical);
        Assert.Equal(new DateOnly(2012, 3, 31), Period.Parse("2011-12", PeriodType.FinancialYear).Period.End);
    }

    [Theory]
    [InlineData("2024-01", PeriodType.Month, "2023-12", "2023-01")]
    [InlineData("2024-06", PeriodType.Month, "2024-05", "2023-06")]
    [InlineData("2024-Q1", PeriodType.Quarter, "2023-Q4", "2023-Q1")]
    [InlineData("2024", PeriodType.Year, "2023", "2023")]
    [InlineData("2024-25", PeriodType.FinancialYear, "2023-24", "2023-24")]
    [InlineData("2000-01", PeriodType.FinancialYear, "1999-00", "1999-00")]
    public void Knows_the_previous_period_and_the_same_period_last_year(string text, PeriodType type, string previous, string lastYear)
    {
        var period = Period.Parse(text, type).Period;
        Assert.Equal(previous, period.Previous().Canonical);
        Assert.Equal(lastYear, period.SamePeriodLastYear().Canonical);
    }

    [Fact]
    public void Canonical_text_sorts_in_time_order_within_a_type()
    {
        var months = new[] { "2023-12", "2024-01", "2024-10", "2024-02" }.Select(m => Period.Parse(m, PeriodType.Month).Period).ToList();
        Assert.Equal(months.OrderBy(p => p.Start).Select(p => p.Canonical), months.Select(p => p.Canonical).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("187.000000", "187")]
    [InlineData("0.000", "0")]
    [InlineData("12.50", "12.5")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("-3.10", "-3.1")]
    public void Decimals_are_stored_without_trailing_zeros(string input, string stored) =>
        Assert.Equal(stored, TypeHandlers.Normalize(decimal.Parse(input, System.Globalization.CultureInfo.InvariantCulture))
            .ToString(System.Globalization.CultureInfo.InvariantCulture));
}

public sealed class PerformanceRuleTests
{
    [Theory]
    [InlineData(IndicatorDirection.Decrease, 100, 100, PerformanceStatus.OnTarget)]
    [InlineData(IndicatorDirection.Decrease, 90, 100, PerformanceStatus.OnTarget)]
    [InlineData(IndicatorDirection.Decrease, 110, 100, PerformanceStatus.Near)]
    [InlineData(IndicatorDirection.Decrease, 110.01, 100, PerformanceStatus.OffTarget)]
    [InlineData(IndicatorDirection.Increase, 100, 100, PerformanceStatus.OnTarget)]
    [InlineData(IndicatorDirection.Increase, 90, 100, PerformanceStatus.Near)]
    [InlineData(IndicatorDirection.Increase, 89.99, 100, PerformanceStatus.OffTarget)]
    [InlineData(IndicatorDirection.Increase, 120, 100, PerformanceStatus.OnTarget)]
    [InlineData(IndicatorDirection.Maintain, 100, 100, PerformanceStatus.OnTarget)]
    [InlineData(IndicatorDirection.Maintain, 95, 100, PerformanceStatus.Near)]
    [InlineData(IndicatorDirection.Maintain, 111, 100, PerformanceStatus.OffTarget)]
    public void Status_depends_on_direction_and_is_near_within_ten_percent(IndicatorDirection direction, double latest, double target, PerformanceStatus expected) =>
        Assert.Equal(expected, PerformanceRules.Status(direction, (decimal)latest, (decimal)target));

    [Theory]
    [InlineData(IndicatorDirection.Decrease, 90, 100, PerformanceTrend.Improving)]
    [InlineData(IndicatorDirection.Decrease, 110, 100, PerformanceTrend.Worsening)]
    [InlineData(IndicatorDirection.Increase, 110, 100, PerformanceTrend.Improving)]
    [InlineData(IndicatorDirection.Increase, 90, 100, PerformanceTrend.Worsening)]
    [InlineData(IndicatorDirection.Increase, 100.5, 100, PerformanceTrend.Stable)]
    [InlineData(IndicatorDirection.Decrease, 99, 100, PerformanceTrend.Stable)]
    public void Trend_compares_with_the_previous_period_by_direction(IndicatorDirection direction, double latest, double previous, PerformanceTrend expected) =>
        Assert.Equal(expected, PerformanceRules.Trend(direction, (decimal)latest, (decimal)previous, null));

    [Fact]
    public void Maintain_improves_when_it_moves_towards_the_target()
    {
        Assert.Equal(PerformanceTrend.Improving, PerformanceRules.Trend(IndicatorDirection.Maintain, 52, 60, 50));
        Assert.Equal(PerformanceTrend.Worsening, PerformanceRules.Trend(IndicatorDirection.Maintain, 60, 52, 50));
    }
}
