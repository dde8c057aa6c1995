package backplane

func (b *Backplane) queueLengths() []int { return b.pub.QueueLengths() }

const ReservedPrefixForTest = reservedPrefix
