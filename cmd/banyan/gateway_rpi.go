package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gobanyan/banyan/gateway"
	"github.com/gobanyan/banyan/gateway/rpi"
	"github.com/spf13/cobra"
)

type gatewayRPiFlags struct {
	comp           componentFlags
	topics         []string
	reportTopic    string
	loopTime       string
	chip           string
	i2cBus         int
	pwm            []string
	debounce       time.Duration
	sonarInterval  time.Duration
	analogInterval time.Duration
	pcf8591        int
	softPWM        int
}

func newGatewayRPiCmd() *cobra.Command { return gatewayRPiCommand(rpi.New) }

// gatewayRPiCommand builds `banyan gateway rpi` around open, which makes
// the board (rpi.New; tests give one on the fake hardware).
func gatewayRPiCommand(open func(rpi.Options) (*rpi.Board, error)) *cobra.Command {
	f := &gatewayRPiFlags{}
	cmd := &cobra.Command{
		Use:   "rpi",
		Short: "Run the OneGPIO gateway for this Raspberry Pi's GPIO header (Python's rpi_gateway)",
		Long: `Run the OneGPIO gateway for this Raspberry Pi's GPIO header, with the flags and
topics of Python Banyan's RpiGateway: commands on to_rpi_gateway (-l),
reports on from_rpi_gateway. BCM pins 2-27.

GPIO goes through the kernel's GPIO character device (/dev/gpiochipN, the v2
uAPI): no pigpio daemon, no root (the gpio group suffices), no sysfs. The chip
is the Pi's own, found by its label (pinctrl-rp1 on a Pi 5, pinctrl-bcm2711
on a Pi 4, pinctrl-bcm2835 before); --chip names another, and then the
machine need not be a Pi.

Digital inputs are debounced by the kernel (20 ms, Python's glitch filter)
and report every change. PWM, servo and tone use the hardware PWM channel of
BCM 18 and 19 when dtoverlay=pwm-2chan is loaded (--pwm adds or changes
pins), software timing elsewhere. Sonars (HC-SR04) are timed by the kernel's
edge timestamps. I2C is /dev/i2c-1 (--i2c-bus); set_mode_analog_input reads
a PCF8591 at 0x48 (--pcf8591-addr) and then reports each change.

Unlike Python's gateway, a command the board cannot carry out is answered
with an "error" report on the report topic, and enable_*_reporting enables.`,
		Example: `  banyan gateway rpi                          # Python's defaults, backplane found as Python does
  banyan gateway rpi -b 192.168.2.10 -v       # a remote backplane; print every board operation
  banyan gateway rpi --pwm 12=0:0 --pwm 13=0:1   # hardware PWM on BCM 12 and 13 (dtoverlay=pwm-2chan,pin=12,func=4,pin2=13,func2=4)`,
		// Flags are parsed in RunE, after turning Python's "-l a b" into
		// "-l a -l b" (pflag takes one value per flag).
		DisableFlagParsing: true,
		RunE:               withNargs(func(cmd *cobra.Command) error { return runGatewayRPi(cmd, f, open) }, "topics"),
	}
	addComponentFlags(cmd, &f.comp, "RaspberryPiGateway")
	fs := cmd.Flags()
	fs.StringArrayVarP(&f.topics, "topics", "l", []string{gateway.CommandTopic("rpi")}, "topics to read commands from (Python's -l; several values or repeated)")
	fs.StringVar(&f.reportTopic, "report-topic", gateway.ReportTopic("rpi"), "topic to publish reports on")
	fs.StringVarP(&f.loopTime, "loop-time", "t", ".1", "accepted for Python compatibility; no effect (Python's receive loop idle time)")
	fs.StringVar(&f.chip, "chip", "", `GPIO chip, a path or a name ("gpiochip0"); default: the Pi's own, after checking the model`)
	fs.IntVar(&f.i2cBus, "i2c-bus", 1, "I2C bus N: /dev/i2c-N")
	fs.StringArrayVar(&f.pwm, "pwm", nil, `hardware PWM channel of a pin, PIN=CHIP:CHANNEL (/sys/class/pwm/pwmchipCHIP/pwmCHANNEL), repeatable; "none": every pin in software (default: BCM 18 and 19, dtoverlay=pwm-2chan's)`)
	fs.DurationVar(&f.debounce, "debounce", rpi.DefaultDebounce, "digital inputs' glitch filter (0: none)")
	fs.DurationVar(&f.sonarInterval, "sonar-interval", rpi.DefaultSonarInterval, "how often each sonar measures")
	fs.DurationVar(&f.analogInterval, "analog-interval", rpi.DefaultAnalogInterval, "how often the PCF8591's analog inputs are read")
	fs.IntVar(&f.pcf8591, "pcf8591-addr", rpi.DefaultPCF8591Addr, "I2C address of the PCF8591 analog converter (set_mode_analog_input)")
	fs.IntVar(&f.softPWM, "soft-pwm-freq", rpi.DefaultSoftPWMFrequency, "frequency of software PWM, in Hz")
	return cmd
}

// options turns the flags into board options.
func (f *gatewayRPiFlags) options() (rpi.Options, error) {
	if _, err := strconv.ParseFloat(f.loopTime, 64); err != nil {
		return rpi.Options{}, fmt.Errorf("-t %q: not a number", f.loopTime)
	}
	if len(f.topics) == 0 || slices.Contains(f.topics, "") || f.reportTopic == "" {
		return rpi.Options{}, fmt.Errorf("gateway rpi: -l and --report-topic need topics")
	}
	if f.i2cBus < 0 {
		return rpi.Options{}, fmt.Errorf("--i2c-bus %d: not a bus number", f.i2cBus)
	}
	if f.pcf8591 < 1 || f.pcf8591 > 0x7f {
		return rpi.Options{}, fmt.Errorf("--pcf8591-addr %d: not a 7-bit I2C address", f.pcf8591)
	}
	debounce := f.debounce
	if debounce == 0 {
		debounce = -1 // none
	}
	o := rpi.Options{
		Host:             rpi.HostOptions{Chip: f.chip, I2CDevice: "/dev/i2c-" + strconv.Itoa(f.i2cBus)},
		Debounce:         debounce,
		SonarInterval:    f.sonarInterval,
		AnalogInterval:   f.analogInterval,
		PCF8591Addr:      f.pcf8591,
		SoftPWMFrequency: f.softPWM,
		Logger:           f.comp.logger(),
	}
	for _, s := range f.pwm {
		if o.Host.PWM == nil {
			o.Host.PWM = map[int]rpi.PWMChannel{}
		}
		if s == "none" {
			continue
		}
		pin, ch, err := rpi.ParsePWM(s)
		if err != nil {
			return rpi.Options{}, fmt.Errorf("--pwm: %w", err)
		}
		o.Host.PWM[pin] = ch
	}
	return o, nil
}

func runGatewayRPi(cmd *cobra.Command, f *gatewayRPiFlags, open func(rpi.Options) (*rpi.Board, error)) error {
	o, err := f.options()
	if err != nil {
		return err
	}
	bp, err := f.comp.options()
	if err != nil {
		return err
	}
	board, err := open(o)
	if err != nil {
		return err
	}
	defer board.Close()
	gw, err := gateway.New(cmd.Context(), board, gateway.Options{
		CommandTopics: f.topics, ReportTopic: f.reportTopic, Backplane: bp, Logger: f.comp.logger(),
	})
	if err != nil {
		return err
	}
	defer gw.Close()
	what := "Raspberry Pi"
	if h, ok := board.Hardware().(*rpi.Host); ok {
		chip := h.Chip()
		what = fmt.Sprintf("%s, %s (%s)", h.ModelName(), chip.Name, chip.Label)
		if h.ModelName() == "" {
			what = fmt.Sprintf("%s (%s)", chip.Name, chip.Label)
		}
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s: %s: commands on %s, reports on %s\n", f.comp.name, what, strings.Join(f.topics, ", "), f.reportTopic)
	return gw.Run(cmd.Context())
}
