from pledge_timeline.cli import main

main()
