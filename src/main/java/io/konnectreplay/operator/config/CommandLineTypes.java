package io.konnectreplay.operator.config;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Value types of the commands' options, checked as they are parsed so that a bad value is refused by name. */
public final class CommandLineTypes {
  private CommandLineTypes() {}

  /** A TCP port, 0 (any free port) to 65535. */
  public static final class Port implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        int port = Integer.parseInt(value.strip());
        if (port >= 0 && port <= 65535) return port;
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new TypeConversionException("'" + value + "' is not a port (0 to 65535)");
    }
  }

  /** A Go-style duration longer than zero: 30s, 90m, 1h30m. */
  public static final class PositiveDuration implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d;
      try {
        d = GoDuration.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
      if (d.isZero()) throw new TypeConversionException("'" + value + "' must be longer than zero");
      return d;
    }
  }

  /** A whole number of at least 1. */
  public static final class Count implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        int n = Integer.parseInt(value.strip());
        if (n >= 1) return n;
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new TypeConversionException("'" + value + "' is not a whole number of at least 1");
    }
  }

  /** A finite number greater than zero. */
  public static final class Rate implements ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      try {
        double d = Double.parseDouble(value.strip());
        if (d > 0 && !Double.isInfinite(d)) return d;
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new TypeConversionException("'" + value + "' is not a number greater than zero");
    }
  }
}
