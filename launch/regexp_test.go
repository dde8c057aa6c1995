package launch

import "regexp"

func regexpLine(s, re string) bool { return regexp.MustCompile("(?m)" + re).MatchString(s) }

func regexpFind(s, re string) []string { return regexp.MustCompile(re).FindStringSubmatch(s) }
