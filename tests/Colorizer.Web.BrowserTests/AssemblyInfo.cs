// The browser test classes each start the app and a Chromium; on two cores, running them side by side starves the
// video job's upload and colorization of CPU until the 30-second waits run out. One class at a time is steadier and
// barely slower.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
