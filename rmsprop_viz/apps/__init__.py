"""The interfaces: the explorer widget and the command line. They only wire lower layers together."""
